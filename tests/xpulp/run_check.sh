#!/bin/sh
# Builds the CORE-V product kernels check (xpulp_check.c against the generic kernels of xpulp_generic.c) as
# --target siracusa builds kernels (clang-19, the CORE-V extensions, picolibc) and runs it on deeploy's QEMU
# with -icount shift=0, so that it also prints exact instructions per MAC. The exit status is the
# program's (0: every output equal to the generic kernels'). Exits 77 (ctest SKIP) when the patched QEMU or
# the cross tools are missing.
#
# usage: run_check.sh SOURCE_DIR OUTDIR QEMU
set -eu
src=$1
out=$2
qemu=$3

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
for f in runtime/kernels/matmul.c runtime/kernels/gemm.c runtime/kernels/conv.c runtime/kernels/matmul_xpulp.c \
         runtime/kernels/matmul_nn_xpulp.c runtime/kernels/conv_xpulp.c tests/xpulp/xpulp_check.c \
         tests/xpulp/xpulp_generic.c; do
  o="$out/$(basename "$f" .c).o"
  clang-19 --target=riscv32-unknown-elf -isystem /usr/lib/picolibc/riscv64-unknown-elf/include \
    -march=rv32imc_zicsr_xcvmac_xcvalu_xcvsimd_xcvmem_xcvbi -mabi=ilp32 -O2 -std=c99 -Wall -Wextra -Werror \
    -I "$src/runtime" -I "$src/tests/xpulp" -c "$src/$f" -o "$o"
  objects="$objects $o"
done
# shellcheck disable=SC2086
riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 --specs=picolibc.specs --oslib=semihost --crt0=semihost \
  -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x1000000 \
  -Wl,--defsym=__ram=0x84000000 -Wl,--defsym=__ram_size=0x1000000 $objects -o "$out/xpulp_check.elf"
exec timeout 600 "$qemu" -M virt -m 128M -cpu rv32,xcorev=true -bios none -display none -monitor none -serial none \
  -chardev stdio,id=c0 -semihosting-config enable=on,target=native,chardev=c0 -icount shift=0 \
  -kernel "$out/xpulp_check.elf"
