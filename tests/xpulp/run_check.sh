#!/bin/sh
# Builds one check of the CORE-V kernels, tests/xpulp/CHECK.c (xpulp_check: the products; xpulp_misc_check:
# the others) against the generic kernels of tests/xpulp/CHECK's _generic.c twin (compiled with
# -DDP_GENERIC_KERNELS), as --target siracusa builds kernels (clang-19, the CORE-V extensions, picolibc), and
# runs it on deeploy's QEMU with -icount shift=0, so that it also prints exact instruction counts. The exit
# status is the program's (0: every output equal to the generic kernels'). Exits 77 (ctest SKIP) when the
# patched QEMU or the cross tools are missing.
#
# usage: run_check.sh SOURCE_DIR OUTDIR QEMU CHECK
set -eu
src=$1
out=$2
qemu=$3
check=$4
generic=$(echo "$check" | sed 's/_check$/_generic/')

skip() {
  echo "run scripts/setup to build the CORE-V QEMU ($1)"
  exit 77
}
for tool in clang-19 riscv64-unknown-elf-gcc; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing"
done
[ -d /usr/lib/picolibc/riscv64-unknown-elf/include ] || skip "picolibc-riscv64-unknown-elf is missing"
[ -x "$qemu" ] || skip "$qemu is missing"

mkdir -p "$out"
objects=""
compile() { # SOURCE OBJECT EXTRA-FLAGS...
  f=$1
  o=$2
  shift 2
  clang-19 --target=riscv32-unknown-elf -isystem /usr/lib/picolibc/riscv64-unknown-elf/include \
    -march=rv32imc_zicsr_xcvmac_xcvalu_xcvsimd_xcvmem_xcvbi -mabi=ilp32 -O2 -std=c99 -Wall -Wextra -Werror \
    -I "$src/runtime" -I "$src/tests/xpulp" "$@" -c "$src/$f" -o "$o"
  objects="$objects $o"
}
for f in "$src"/runtime/kernels/*.c; do
  compile "runtime/kernels/$(basename "$f")" "$out/kernel_$(basename "$f" .c).o"
done
compile "tests/xpulp/$check.c" "$out/$check.o"
compile "tests/xpulp/$generic.c" "$out/$generic.o" -DDP_GENERIC_KERNELS
# shellcheck disable=SC2086
riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 --specs=picolibc.specs --oslib=semihost --crt0=semihost \
  -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x1000000 \
  -Wl,--defsym=__ram=0x84000000 -Wl,--defsym=__ram_size=0x1000000 -Wl,--gc-sections $objects -o "$out/$check.elf"
exec timeout 600 "$qemu" -M virt -m 128M -cpu rv32,xcorev=true -bios none -display none -monitor none -serial none \
  -chardev stdio,id=c0 -semihosting-config enable=on,target=native,chardev=c0 -icount shift=0 -kernel "$out/$check.elf"
