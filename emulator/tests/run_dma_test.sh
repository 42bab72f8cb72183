#!/bin/sh
# Builds emulator/tests/dma_test.c (the cluster DMA device through runtime/siracusa/dma.c, with the
# rv32 runtime's entry and fork/join) and runs it on the patched QEMU: with -smp 1 and -smp 8, without
# -icount, with -icount shift=0, and twice with -icount shift=0,sleep=off, whose minstret counts must
# agree run for run. Exits 0 when every run passed, 77 (ctest SKIP) when the patched QEMU or the cross
# tools are missing.
#
# usage: run_dma_test.sh QEMU OUTDIR
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

cflags="-std=c99 -O2 -Wall -Wextra -Werror -march=rv32imac -mabi=ilp32 --specs=picolibc.specs -I $runtime -DDP_STACK_BYTES=16384 -DDP_CLUSTER_DMA"
objects=""
for src in "$here/dma_test.c" "$runtime/siracusa/dma.c" "$runtime/rv32/cluster.c" "$runtime/rv32/entry.S"; do
  obj=$out/$(basename "$src").o
  # shellcheck disable=SC2086
  riscv64-unknown-elf-gcc $cflags -Wa,-march=rv32imac_zicsr -c "$src" -o "$obj"
  objects="$objects $obj"
done
# The driver also builds warning-free with the compiler of the CORE-V code.
if command -v clang-19 >/dev/null 2>&1; then
  clang-19 -std=c99 -O2 -Wall -Wextra -Werror --target=riscv32-unknown-elf -march=rv32imc_zicsr -mabi=ilp32 \
    -isystem /usr/lib/picolibc/riscv64-unknown-elf/include -I "$runtime" -c "$runtime/siracusa/dma.c" -o "$out/dma_clang.o"
fi
# The rv32 target's layout: the cluster entry at 0x80000000 (every hart starts there), then picolibc.
# shellcheck disable=SC2086
riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 --specs=picolibc.specs --oslib=semihost --crt0=semihost \
  -Wl,--entry=dp_entry -Wl,--no-warn-rwx-segments -Wl,--section-start=.dp_entry=0x80000000 \
  -Wl,--defsym=__flash=0x80000100 -Wl,--defsym=__flash_size=0x3ffff00 \
  -Wl,--defsym=__ram=0x84000000 -Wl,--defsym=__ram_size=0x4000000 $objects -o "$out/dma_test.elf"

# run NAME SMP MODE [ICOUNT]: output in $out/NAME.txt; fails the script on a failed run.
status=0
run() {
  name=$1 smp=$2 mode=$3
  shift 3
  if timeout 300 "$qemu" -M virt -m 128M -bios none -display none -monitor none -serial none -smp "$smp" "$@" \
    -chardev stdio,id=c0 -semihosting-config "enable=on,target=native,chardev=c0,arg=dma_test,arg=$smp,arg=$mode" \
    -kernel "$out/dma_test.elf" >"$out/$name.txt" 2>&1; then
    echo "PASS $name: $(tail -n 1 "$out/$name.txt")"
  else
    echo "FAIL $name (exit $?):"
    cat "$out/$name.txt"
    status=1
  fi
}

# Two runs' minstret lines must be the same.
same_counts() {
  if grep '^DMA_TEST minstret' "$out/$1.txt" >"$out/$1.counts" && grep '^DMA_TEST minstret' "$out/$2.txt" >"$out/$2.counts" &&
    [ -s "$out/$1.counts" ] && cmp -s "$out/$1.counts" "$out/$2.counts"; then
    echo "PASS $1 = $2: same minstret counts (total $(tail -n 1 "$out/$1.counts" | cut -d' ' -f4))"
  else
    echo "FAIL $1 != $2: minstret counts differ"
    diff "$out/$1.counts" "$out/$2.counts" || true
    status=1
  fi
}

for smp in 1 8; do
  run "real_smp$smp" "$smp" real
  run "icount_smp$smp" "$smp" icount -icount shift=0
  run "exact_smp${smp}_a" "$smp" exact -icount shift=0,sleep=off
  run "exact_smp${smp}_b" "$smp" exact -icount shift=0,sleep=off
  same_counts "exact_smp${smp}_a" "exact_smp${smp}_b"
done
exit $status
