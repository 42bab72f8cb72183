/*
 * XCVbi: cv.beqimm and cv.bneimm for every 5-bit signed immediate,
 * forward, backward and long (near the 4 KiB reach) branches, and branch
 * targets on 2-byte boundaries.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "corev_test.h"

/* t = 1 if the branch is taken */
#define CASE_BR(INSN, n)                                                     \
    case n: __asm__ volatile(CV_ARCH "li %0, 1\n\t" INSN " %1, " #n ", 1f\n\t" \
                             "li %0, 0\n"                                    \
                             "1:" CV_END : "=&r"(t) : "r"(v)); break;
#define DEF_BR(FN, INSN)                                                     \
    static uint32_t FN(uint32_t v, int imm)                                  \
    {                                                                        \
        uint32_t t = 2;                                                      \
        switch (imm) { IMM_S5(CASE_BR, INSN) }                               \
        return t;                                                            \
    }

DEF_BR(x_beqimm, "cv.beqimm")
DEF_BR(x_bneimm, "cv.bneimm")

static void test_values(uint32_t v)
{
    for (int imm = -16; imm <= 15; imm++) {
        uint32_t eq = v == (uint32_t)imm;
        check("cv.beqimm", imm, v, 0, 0, x_beqimm(v, imm), eq);
        check("cv.bneimm", imm, v, 0, 0, x_bneimm(v, imm), !eq);
    }
}

static void test_special(void)
{
    uint32_t n = 0, c = 10;
    /* backward branch: a count-down loop */
    __asm__ volatile(CV_ARCH "1:\n\t"
                     "addi %0, %0, 1\n\t"
                     "addi %1, %1, -1\n\t"
                     "cv.bneimm %1, 0, 1b" CV_END
                     : "+r"(n), "+r"(c));
    check("cv.bneimm backward", 0, 10, 0, 0, n, 10);
    /* backward with a negative immediate */
    n = 0;
    c = 0;
    __asm__ volatile(CV_ARCH "1:\n\t"
                     "addi %0, %0, 1\n\t"
                     "addi %1, %1, -1\n\t"
                     "cv.bneimm %1, -7, 1b" CV_END
                     : "+r"(n), "+r"(c));
    check("cv.bneimm backward", -7, 0, 0, 0, n, 7);
    /* long forward branches, near the +4 KiB reach */
    uint32_t t;
    __asm__ volatile(CV_ARCH "li %0, 1\n\t"
                     "cv.beqimm %1, -16, 2f\n\t"
                     "li %0, 0\n\t"
                     "j 3f\n\t"
                     ".skip 4000\n"
                     "2: li %0, 2\n"
                     "3:" CV_END
                     : "=&r"(t) : "r"(-16));
    check("cv.beqimm far", -16, (uint32_t)-16, 0, 0, t, 2);
    __asm__ volatile(CV_ARCH "li %0, 1\n\t"
                     "cv.bneimm %1, 15, 2f\n\t"
                     "li %0, 0\n\t"
                     "j 3f\n\t"
                     ".skip 4000\n"
                     "2: li %0, 2\n"
                     "3:" CV_END
                     : "=&r"(t) : "r"(15));
    check("cv.bneimm far", 15, 15, 0, 0, t, 0);
    /* long backward branch */
    n = 0;
    __asm__ volatile(CV_ARCH "j 2f\n"
                     "1: li %0, 5\n\t"
                     "j 3f\n\t"
                     ".skip 4000\n"
                     "2: cv.beqimm %1, 3, 1b\n\t"
                     "li %0, 6\n"
                     "3:" CV_END
                     : "+r"(n) : "r"(3));
    check("cv.beqimm far back", 3, 3, 0, 0, n, 5);
    /* branch and target at addresses that are 2 mod 4 (compressed code) */
    __asm__ volatile(CV_ARCH ".balign 4\n\t"
                     "c.nop\n\t"
                     "li %0, 1\n\t"
                     "cv.beqimm %1, 0, 1f\n\t"
                     "li %0, 0\n\t"
                     "c.nop\n"
                     "1: c.nop" CV_END
                     : "=&r"(t) : "r"(0));
    check("cv.beqimm rvc", 0, 0, 0, 0, t, 1);
}

int main(void)
{
    for (int v = -40; v <= 40; v++) {
        test_values((uint32_t)v);
    }
    for (int i = 0; i < COREV_NEDGES; i++) {
        test_values(corev_edges[i]);
        /* same low 5 bits as the immediates, other upper bits */
        test_values(corev_edges[i] & ~0x1fu);
    }
    for (int i = 0; i < COREV_RANDOM_ITERS / 10; i++) {
        uint32_t r = rnd32();
        test_values(r);
        test_values((r & 0x1f) | 0x20);
        test_values((uint32_t)((int32_t)(r << 27) >> 27));
    }
    test_special();
    return report("corev_bi");
}
