#!/bin/sh
# Builds the CORE-V test programs into OUTDIR and runs check_isa.py: the decoder in the patch against
# LLVM 19's encodings, and every LLVM 19 CORE-V mnemonic against what the test programs execute.
# Exits 77 (ctest SKIP) when clang-19, llvm-mc-19 or llvm-objdump-19 is missing.
#
# usage: isa_test.sh OUTDIR
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
for tool in python3 llvm-mc-19 llvm-objdump-19; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run scripts/setup to build the CORE-V QEMU ($tool is missing)"
    exit 77
  fi
done
for t in corev_alu corev_mac corev_simd corev_mem corev_bi corev_illegal; do
  "$here/run_test.sh" --build "$t" "$out"
done
exec python3 "$here/check_isa.py" "$here/../patches/0001-corev-extensions.patch" \
  "$out/corev_alu.elf" "$out/corev_mac.elf" "$out/corev_simd.elf" "$out/corev_mem.elf" "$out/corev_bi.elf" \
  "$out/corev_illegal.elf"
