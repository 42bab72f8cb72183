#!/bin/sh
# Builds one CORE-V instruction test (emulator/tests/NAME.c) with clang-19 and picolibc and runs it on the
# patched QEMU; the exit status is the test program's (0: every result matched its C reference).
# Exits 77 (ctest SKIP) when the patched QEMU or the cross tools are missing.
#
# usage: run_test.sh NAME OUTDIR QEMU [CPU]      CPU defaults to rv32,xcorev=true
# usage: run_test.sh --build NAME OUTDIR          only builds OUTDIR/NAME.elf
#
# The C code is compiled for plain RV32IMC: clang must not use cv.* instructions in the C references (the
# comparison would be circular), so every asm statement enables the CORE-V extensions for itself
# (.option arch); the link merges the attributes as for any RV32IMC program.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
here=$(cd "$(dirname "$0")" && pwd)

skip() {
  echo "run scripts/setup to build the CORE-V QEMU ($1)"
  exit 77
}

build_elf() { # NAME OUTDIR
  for tool in clang-19 riscv64-unknown-elf-gcc; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing"
  done
  [ -d /usr/lib/picolibc/riscv64-unknown-elf/include ] || skip "picolibc-riscv64-unknown-elf is missing"
  mkdir -p "$2"
  clang-19 --target=riscv32-unknown-elf -march=rv32imc_zicsr -mabi=ilp32 -O2 \
    -Wall -Wextra -Werror -isystem /usr/lib/picolibc/riscv64-unknown-elf/include \
    -c "$here/$1.c" -o "$2/$1.o"
  riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 --specs=picolibc.specs --oslib=semihost --crt0=semihost \
    -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x400000 \
    -Wl,--defsym=__ram=0x80400000 -Wl,--defsym=__ram_size=0x400000 \
    "$2/$1.o" -o "$2/$1.elf"
}

if [ "${1:-}" = "--build" ]; then
  build_elf "$2" "$3"
  exit 0
fi

name=$1
out=$2
qemu=$3
cpu=${4:-rv32,xcorev=true}
[ -x "$qemu" ] || skip "$qemu is missing"
build_elf "$name" "$out"
exec timeout 300 "$qemu" -M virt -bios none -cpu "$cpu" -display none -monitor none -serial none \
  -chardev stdio,id=c0 -semihosting-config enable=on,target=native,chardev=c0 -kernel "$out/$name.elf"
