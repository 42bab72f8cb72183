#!/usr/bin/env python3
"""Cross-checks the CORE-V decoder (XCoreV.decode in emulator/patches/0001-corev-extensions.patch) against
LLVM 19 and the tests against the decoder:

1. Every 32-bit word of the four custom opcodes, over all funct7/funct3 values and a spread of rs2-field
   values, is disassembled by llvm-mc-19 (-mattr=+xcvmac,+xcvalu,+xcvsimd,+xcvmem,+xcvbi); an encoding is
   LLVM's when it disassembles and its text assembles back to the same word. Each of those must match
   exactly the decoder pattern named after the mnemonic (cv.add.sci.h -> cv_add_sci_h; loads and stores
   get _ri_inc, _rr_inc or _rr after their operand form; cv.muls and friends are cv.mulsn with 0), and
   every other word must match no pattern, except the encodings the CV32E40P decoder reserves although
   LLVM's assembler takes them (extract/insert/shuffle.sci.h immediates above the lane count): those must
   match no pattern either (QEMU traps, like the core).
2. Every decoder pattern is reached by some LLVM encoding, so the decoder has no instruction LLVM lacks.
3. Every LLVM mnemonic and load/store form (aliases included) appears in the disassembly of the test
   programs, so every instruction is executed by a test.

usage: check_isa.py PATCH ELF... (exit 0 when all hold, 77 when llvm-mc-19 or llvm-objdump-19 is missing)
SPDX-License-Identifier: GPL-2.0-or-later
"""
import re
import shutil
import subprocess
import sys

MATTR = "+xcvmac,+xcvalu,+xcvsimd,+xcvmem,+xcvbi"
OPCODES = (0x0B, 0x2B, 0x5B, 0x7B)
RS2_FIELDS = (0, 1, 2, 3, 4, 8, 12, 16, 24, 31)
ALIASES = {"cv_muls": "cv_mulsn", "cv_mulhhs": "cv_mulhhsn", "cv_mulu": "cv_mulun", "cv_mulhhu": "cv_mulhhun"}


def decode_patterns(patch):
    """(name, mask, value) of every pattern of XCoreV.decode as added by the patch."""
    text, inside = [], False
    for line in open(patch, encoding="utf-8"):
        if line.startswith("+++ "):
            inside = line.rstrip().endswith("/XCoreV.decode")
            continue
        if line.startswith("diff "):
            inside = False
        if inside and line.startswith("+"):
            text.append(line[1:])
    if not text:
        sys.exit(f"no XCoreV.decode in {patch}")
    pats = []
    for line in text:
        line = line.split("#")[0].strip()
        if not line or line[0] in "%&@{}[]":
            continue
        tokens = line.split()
        bits = ""
        for tok in tokens[1:]:
            if re.fullmatch(r"[01.]+", tok):
                bits += tok
            else:
                break
        if len(bits) != 32:
            sys.exit(f"cannot parse decode line: {line}")
        mask = int("".join("0" if c == "." else "1" for c in bits), 2)
        value = int("".join("0" if c == "." else c for c in bits), 2)
        pats.append((tokens[0], mask, value))
    return pats


def key_of(mnemonic, operands):
    """Decoder pattern name for an LLVM mnemonic and its operand text."""
    name = mnemonic.replace(".", "_")
    if re.fullmatch(r"cv_(lb|lbu|lh|lhu|lw|sb|sh|sw)", name):
        if re.search(r"\([a-z0-9]+\),\s*-?(0x[0-9a-f]+|\d+)$", operands):
            name += "_ri_inc"
        elif re.search(r"\([a-z0-9]+\),\s*[a-z]", operands):
            name += "_rr_inc"
        else:
            name += "_rr"
    return name


def run(cmd, text):
    return subprocess.run(cmd, input=text, capture_output=True, text=True, check=False)


def llvm_instructions(words):
    """word -> (mnemonic, operands, key) for the words LLVM disassembles and reassembles to themselves."""
    src = "\n".join(" ".join(f"0x{(w >> (8 * i)) & 0xFF:02x}" for i in range(4)) for w in words) + "\n"
    dis = run(["llvm-mc-19", "--disassemble", "-triple=riscv32", f"-mattr={MATTR}", "-show-encoding"], src)
    decoded = []
    for line in dis.stdout.splitlines():
        m = re.match(r"\s*(cv\.\S+)\s*(.*?)\s*# encoding: \[(.*)\]", line)
        if m:
            enc = [int(b, 16) for b in m.group(3).split(",")]
            decoded.append((m.group(1), m.group(2).strip(), enc[0] | enc[1] << 8 | enc[2] << 16 | enc[3] << 24))
    # reassemble: which disassembled texts LLVM's assembler takes (branch targets become plain offsets)
    asm = "\n".join(f"{mn} {ops}" for mn, ops, _ in decoded) + "\n"
    re_asm = run(["llvm-mc-19", "-triple=riscv32", f"-mattr={MATTR}", "-show-encoding"], asm)
    bad_lines = {int(n) for n in re.findall(r"<stdin>:(\d+):\d+: error", re_asm.stderr)}
    result, reserved = {}, {}
    for i, (mn, ops, w) in enumerate(decoded, start=1):
        if i in bad_lines:
            reserved[w] = (mn, ops)
        else:
            result[w] = (mn, ops, key_of(mn, ops))
    return result, reserved


def rtl_reserved(key, word):
    """Encodings LLVM 19's assembler takes but the CV32E40P decoder reserves (illegal instruction)."""
    imm_hi = (word >> 20) & 0x1F  # Imm6[5:1]
    if key in ("cv_extract_h", "cv_extractu_h", "cv_insert_h"):
        return imm_hi != 0
    if key in ("cv_extract_b", "cv_extractu_b", "cv_insert_b", "cv_shuffle_sci_h"):
        return imm_hi > 1
    return False


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for tool in ("llvm-mc-19", "llvm-objdump-19"):
        if not shutil.which(tool):
            print(f"run scripts/setup to build the CORE-V QEMU ({tool} is missing)")
            sys.exit(77)
    patch, elves = sys.argv[1], sys.argv[2:]
    pats = decode_patterns(patch)
    words = [(f7 << 25) | (rs2 << 20) | (11 << 15) | (f3 << 12) | (10 << 7) | op
             for op in OPCODES for f7 in range(128) for f3 in range(8) for rs2 in RS2_FIELDS]
    llvm, llvm_only_dis = llvm_instructions(words)
    errors = []
    reached = set()
    reserved_count = 0
    for w in words:
        matches = [name for name, mask, value in pats if w & mask == value]
        if len(matches) > 1:
            errors.append(f"0x{w:08x} matches several patterns: {matches}")
        got = matches[0] if matches else None
        if w in llvm:
            mn, ops, key = llvm[w]
            want = ALIASES.get(key, key)
            if rtl_reserved(want, w):
                reserved_count += 1
                if got is not None:
                    errors.append(f"0x{w:08x} {mn} {ops}: reserved by the CV32E40P but decoded as {got}")
                continue
            reached.add(want)
            if got != want:
                errors.append(f"0x{w:08x} {mn} {ops}: LLVM's encoding, decoder gives {got}, expected {want}")
        elif got is not None:
            what = llvm_only_dis.get(w)
            desc = f"{what[0]} {what[1]} (disassembler only)" if what else "invalid for LLVM"
            errors.append(f"0x{w:08x} ({desc}) decoded as {got}")
        elif w in llvm_only_dis:
            reserved_count += 1
    for name, _, _ in pats:
        if name not in reached:
            errors.append(f"decoder pattern {name} matches no LLVM encoding")
    llvm_keys = {key for _, _, key in llvm.values()}

    # 3. what the tests execute
    executed = set()
    for elf in elves:
        dis = subprocess.run(["llvm-objdump-19", "-d", f"--mattr={MATTR}", elf], capture_output=True, text=True,
                             check=False)
        if dis.returncode != 0:
            errors.append(f"cannot disassemble {elf}: {dis.stderr.strip()}")
            continue
        for line in dis.stdout.splitlines():
            m = re.match(r"\s*[0-9a-f]+:\s+[0-9a-f]+\s+(cv\.\S+)\s*(.*?)\s*(<.*>)?$", line)
            if m:
                executed.add(key_of(m.group(1), m.group(2)))
    if elves:
        for key in sorted(llvm_keys - executed):
            errors.append(f"{key} is executed by no test")

    for e in errors[:60]:
        print(e)
    if len(errors) > 60:
        print(f"... {len(errors) - 60} more")
    print(f"corev_isa: {len(words)} encodings, {len(llvm)} of them LLVM 19's ({len(llvm_keys)} instructions and "
          f"aliases, {len(pats)} decoder patterns), {reserved_count} reserved; "
          f"{len(executed & llvm_keys)} of the {len(llvm_keys)} run by the tests; {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
