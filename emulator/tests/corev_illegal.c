/*
 * Illegal-instruction behaviour, run with only XCVsimd enabled
 * (-cpu rv32,xcvsimd=true): instructions of the disabled extensions trap
 * (and a trapping post-increment load leaves its base register alone),
 * the SIMD ones run, and encodings the CV32E40P decoder reserves trap even
 * though LLVM 19's disassembler would print them (.sci shift amounts above
 * the lane width, extract/insert/shuffle immediates above the lane count).
 * Like every test it is compiled for plain RV32IMC (so that clang uses no
 * cv.* instruction of a disabled extension in the C code); each asm
 * enables the extension of its instruction.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "corev_test.h"

volatile uint32_t trap_count, trap_cause;

/* machine trap handler: count, remember mcause, skip the 4-byte instruction */
__attribute__((naked, aligned(4))) static void trap_entry(void)
{
    __asm__ volatile("addi sp, sp, -16\n\t"
                     "sw t0, 0(sp)\n\t"
                     "sw t1, 4(sp)\n\t"
                     "csrr t0, mcause\n\t"
                     "la t1, trap_cause\n\t"
                     "sw t0, 0(t1)\n\t"
                     "la t1, trap_count\n\t"
                     "lw t0, 0(t1)\n\t"
                     "addi t0, t0, 1\n\t"
                     "sw t0, 0(t1)\n\t"
                     "csrr t0, mepc\n\t"
                     "addi t0, t0, 4\n\t"
                     "csrw mepc, t0\n\t"
                     "lw t0, 0(sp)\n\t"
                     "lw t1, 4(sp)\n\t"
                     "addi sp, sp, 16\n\t"
                     "mret");
}

/* assemble INSN with extension EXT enabled */
#define WITH(EXT, INSN) ".option push\n\t.option arch, +" EXT "\n\t" INSN "\n\t.option pop"

/* run one asm statement and check whether it raised an illegal-instruction trap */
#define EXPECT(name, want_trap, ...)                                         \
    do {                                                                     \
        uint32_t before = trap_count;                                        \
        __VA_ARGS__;                                                         \
        uint32_t trapped = trap_count != before;                             \
        check(name " traps", 0, 0, 0, 0, trapped, want_trap);                \
        if (trapped) {                                                       \
            check(name " mcause", 0, 0, 0, 0, trap_cause, 2);                \
        }                                                                    \
    } while (0)

int main(void)
{
    uint32_t r = 0, a = 5, b = 7, p = (uint32_t)(uintptr_t)&trap_count;
    __asm__ volatile("csrw mtvec, %0" : : "r"(trap_entry));

    /* enabled: XCVsimd */
    EXPECT("cv.add.h", 0, __asm__ volatile(WITH("xcvsimd", "cv.add.h %0, %1, %2") : "=r"(r) : "r"(a), "r"(b)));
    check("cv.add.h result", 0, a, b, 0, r, 12);
    EXPECT("cv.sdotsp.b", 0, __asm__ volatile(WITH("xcvsimd", "cv.sdotsp.b %0, %1, %2") : "+r"(r) : "r"(a), "r"(b)));
    check("cv.sdotsp.b result", 0, a, b, 12, r, 47);

    /* disabled: XCVmac, XCValu, XCVmem, XCVbi */
    EXPECT("cv.mac", 1, __asm__ volatile(WITH("xcvmac", "cv.mac %0, %1, %2") : "+r"(r) : "r"(a), "r"(b)));
    EXPECT("cv.mulsn", 1, __asm__ volatile(WITH("xcvmac", "cv.mulsn %0, %1, %2, 3") : "=r"(r) : "r"(a), "r"(b)));
    EXPECT("cv.abs", 1, __asm__ volatile(WITH("xcvalu", "cv.abs %0, %1") : "=r"(r) : "r"(a)));
    EXPECT("cv.addn", 1, __asm__ volatile(WITH("xcvalu", "cv.addn %0, %1, %2, 1") : "=r"(r) : "r"(a), "r"(b)));
    uint32_t q = p;
    EXPECT("cv.lw", 1, __asm__ volatile(WITH("xcvmem", "cv.lw %0, (%1), 4") : "=&r"(r), "+r"(q) : : "memory"));
    check("cv.lw base kept", 0, p, 0, 0, q, p);
    EXPECT("cv.sw", 1, __asm__ volatile(WITH("xcvmem", "cv.sw %1, %2(%0)") : : "r"(p), "r"(a), "r"(0) : "memory"));
    EXPECT("cv.beqimm", 1, __asm__ volatile(WITH("xcvbi", "cv.beqimm %0, 5, 1f\n1:") : : "r"(a)));

    /* reserved encodings (a0 = op(a1, imm)) */
    EXPECT("cv.srl.sci.h 16", 1, __asm__ volatile(".word 0x4085e57b" : : : "a0"));
    EXPECT("cv.sra.sci.b 8", 1, __asm__ volatile(".word 0x4845f57b" : : : "a0"));
    EXPECT("cv.extract.h 2", 1, __asm__ volatile(".word 0xb815857b" : : : "a0"));
    EXPECT("cv.insert.b 4", 1, __asm__ volatile(".word 0xb825d57b" : : : "a0"));
    EXPECT("cv.shuffle.sci.h 4", 1, __asm__ volatile(".word 0xc025e57b" : : : "a0"));
    EXPECT("cv.cplxmul funct3=001", 1, __asm__ volatile(".word 0x54c5957b" : : : "a0"));
    /* the same encodings' legal neighbours run */
    EXPECT("cv.srl.sci.h 15", 0, __asm__ volatile(WITH("xcvsimd", "cv.srl.sci.h %0, %1, 15") : "=r"(r) : "r"(0x80008000)));
    check("cv.srl.sci.h 15 result", 15, 0x80008000, 0, 0, r, 0x00010001);
    EXPECT("cv.extract.h 1", 0, __asm__ volatile(WITH("xcvsimd", "cv.extract.h %0, %1, 1") : "=r"(r) : "r"(0x80000000)));
    check("cv.extract.h 1 result", 1, 0x80000000, 0, 0, r, 0xffff8000);
    return report("corev_illegal");
}
