#!/bin/sh
# Builds emulator/tests/npu_test.c (the NPU device through runtime/siracusa/npu.c) and runs it on the
# patched QEMU with one hart: without -icount, with -icount shift=0, and twice with -icount
# shift=0,sleep=off, whose minstret counts must agree. Exits 0 when every run passed, 77 (ctest SKIP) when
# the patched QEMU or the cross tools are missing.
#
# usage: run_npu_test.sh QEMU OUTDIR
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runtime=$here/../../runtime
qemu=$1
out=$2

skip() {
  echo "run scripts/setup to build the CORE-V QEMU ($1)"
  exit 77
}

[ -x "$qemu" ] || skip "$qemu is missing"
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || skip "riscv64-unknown-elf-gcc is missing"
[ -d /usr/lib/picolibc/riscv64-unknown-elf/include ] || skip "picolibc-riscv64-unknown-elf is missing"
mkdir -p "$out"

cflags="-std=c99 -O2 -Wall -Wextra -Werror -march=rv32imac -mabi=ilp32 --specs=picolibc.specs -I $runtime -DDP_STACK_BYTES=16384"
objects=""
for src in "$here/npu_test.c" "$runtime/siracusa/npu.c" "$runtime/rv32/cluster.c" "$runtime/rv32/entry.S"; do
  obj=$out/$(basename "$src").o
  # shellcheck disable=SC2086
  riscv64-unknown-elf-gcc $cflags -Wa,-march=rv32imac_zicsr -c "$src" -o "$obj"
  objects="$objects $obj"
done
# The driver also builds warning-free with the compiler of the CORE-V code.
if command -v clang-19 >/dev/null 2>&1; then
  clang-19 -std=c99 -O2 -Wall -Wextra -Werror --target=riscv32-unknown-elf -march=rv32imc_zicsr -mabi=ilp32 \
    -isystem /usr/lib/picolibc/riscv64-unknown-elf/include -I "$runtime" -c "$runtime/siracusa/npu.c" -o "$out/npu_clang.o"
fi
# shellcheck disable=SC2086
riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 --specs=picolibc.specs --oslib=semihost --crt0=semihost \
  -Wl,--entry=dp_entry -Wl,--no-warn-rwx-segments -Wl,--section-start=.dp_entry=0x80000000 \
  -Wl,--defsym=__flash=0x80000100 -Wl,--defsym=__flash_size=0x3ffff00 \
  -Wl,--defsym=__ram=0x84000000 -Wl,--defsym=__ram_size=0x4000000 $objects -o "$out/npu_test.elf"

# run NAME MODE [ICOUNT]: output in $out/NAME.txt; fails the script on a failed run.
status=0
run() {
  name=$1 mode=$2
  shift 2
  if timeout 300 "$qemu" -M virt -m 128M -bios none -display none -monitor none -serial none -smp 1 "$@" \
    -chardev stdio,id=c0 -semihosting-config "enable=on,target=native,chardev=c0,arg=npu_test,arg=$mode" \
    -kernel "$out/npu_test.elf" >"$out/$name.txt" 2>&1; then
    echo "PASS $name: $(tail -n 1 "$out/$name.txt")"
  else
    echo "FAIL $name (exit $?):"
    cat "$out/$name.txt"
    status=1
  fi
}

run real real
run icount icount -icount shift=0
run exact_a exact -icount shift=0,sleep=off
run exact_b exact -icount shift=0,sleep=off
if grep '^NPU_TEST minstret' "$out/exact_a.txt" >"$out/exact_a.counts" &&
  grep '^NPU_TEST minstret' "$out/exact_b.txt" >"$out/exact_b.counts" && [ -s "$out/exact_a.counts" ] &&
  cmp -s "$out/exact_a.counts" "$out/exact_b.counts"; then
  echo "PASS exact_a = exact_b: same minstret counts"
else
  echo "FAIL exact_a != exact_b: minstret counts differ"
  status=1
fi
exit $status
