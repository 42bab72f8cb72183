/*
 * Shared helpers for the CORE-V instruction tests: operand generation,
 * result checking, immediate enumeration for inline asm.
 *
 * Each test executes the instruction through inline asm (so the encoding
 * is LLVM 19's) and compares it with a plain C reference written from the
 * CV32E40P user manual.  main() returns 0 when every result matches.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef COREV_TEST_H
#define COREV_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef COREV_RANDOM_ITERS
#define COREV_RANDOM_ITERS 3000
#endif
#define COREV_MAX_REPORTS 25

static unsigned long corev_checks, corev_fails;
static uint32_t corev_rng = 0x2545f491u;

static inline uint32_t rnd32(void)
{
    /* xorshift32 */
    uint32_t x = corev_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return corev_rng = x;
}

/* 32-bit edge values: signs, overflow boundaries and lane boundaries */
static const uint32_t corev_edges[] = {
    0x00000000, 0x00000001, 0x00000002, 0xffffffff, 0xfffffffe,
    0x7fffffff, 0x80000000, 0x80000001, 0x7ffffffe, 0x40000000,
    0x0000ffff, 0x00007fff, 0x00008000, 0x00010000, 0xffff0000,
    0x7fff7fff, 0x80008000, 0x7fff8000, 0x80007fff, 0xffff8000,
    0x000000ff, 0x0000007f, 0x00000080, 0x7f7f7f7f, 0x80808080,
    0xffffff80, 0x807f80ff, 0x01ff7f80, 0x12345678, 0xdeadbeef,
};
#define COREV_NEDGES ((int)(sizeof(corev_edges) / sizeof(corev_edges[0])))

/* Lane-level edge values for building operands of packed ops */
static inline uint32_t rnd_lane_word(void)
{
    static const uint8_t b[] = {0x00, 0x01, 0x7f, 0x80, 0x81, 0xff, 0xfe, 0x40};
    static const uint16_t h[] = {0x0000, 0x0001, 0x7fff, 0x8000, 0x8001, 0xffff,
                                 0xfffe, 0x4000, 0x00ff, 0xff00, 0x0080, 0xff80};
    uint32_t r = rnd32();
    if (r & 1) {
        uint32_t v = 0;
        for (int i = 0; i < 4; i++) {
            uint32_t s = rnd32();
            uint32_t lane = (s & 3) ? b[(s >> 4) % sizeof(b)] : (s >> 8) & 0xff;
            v |= lane << (8 * i);
        }
        return v;
    } else {
        uint32_t v = 0;
        for (int i = 0; i < 2; i++) {
            uint32_t s = rnd32();
            uint32_t lane = (s & 3) ? h[(s >> 4) % (sizeof(h) / 2)] : (s >> 8) & 0xffff;
            v |= lane << (16 * i);
        }
        return v;
    }
}

/* An operand: an edge value, a word of edge lanes, or a random word */
static inline uint32_t rnd_operand(void)
{
    uint32_t s = rnd32() & 7;
    if (s == 0) {
        return corev_edges[rnd32() % COREV_NEDGES];
    }
    if (s <= 2) {
        return rnd_lane_word();
    }
    if (s == 3) {
        /* small magnitudes */
        return (uint32_t)((int32_t)(rnd32() & 0x3ff) - 0x200);
    }
    return rnd32();
}

/*
 * Operand tuples: first every pair of edge values (a, b; c cycling through
 * the edges), then COREV_RANDOM_ITERS random tuples.  Usage:
 *   for (int i = 0; i < COREV_TUPLES; i++) { operands(i, &a, &b, &c); ... }
 */
#define COREV_TUPLES (COREV_NEDGES * COREV_NEDGES + COREV_RANDOM_ITERS)

static inline void operands(int i, uint32_t *a, uint32_t *b, uint32_t *c)
{
    if (i < COREV_NEDGES * COREV_NEDGES) {
        *a = corev_edges[i / COREV_NEDGES];
        *b = corev_edges[i % COREV_NEDGES];
        *c = corev_edges[(i * 7 + 3) % COREV_NEDGES];
    } else {
        *a = rnd_operand();
        *b = rnd_operand();
        *c = rnd_operand();
    }
}

static inline void check(const char *insn, int imm, uint32_t a, uint32_t b,
                  uint32_t c, uint32_t got, uint32_t exp)
{
    corev_checks++;
    if (got != exp) {
        if (corev_fails < COREV_MAX_REPORTS) {
            printf("MISMATCH %s imm=%d rs1=0x%08lx rs2=0x%08lx rd=0x%08lx:"
                   " got 0x%08lx expected 0x%08lx\n", insn, imm,
                   (unsigned long)a, (unsigned long)b, (unsigned long)c,
                   (unsigned long)got, (unsigned long)exp);
        }
        corev_fails++;
    }
}

static inline int report(const char *name)
{
    printf("%s: %lu checks, %lu mismatches\n", name, corev_checks,
           corev_fails);
    return corev_fails ? 1 : 0;
}

/* Signed/unsigned lane access for references */
static inline int32_t s16(uint32_t x, int i) { return (int16_t)(x >> (16 * i)); }
static inline uint32_t u16(uint32_t x, int i) { return (x >> (16 * i)) & 0xffff; }
static inline int32_t s8(uint32_t x, int i) { return (int8_t)(x >> (8 * i)); }
static inline uint32_t u8(uint32_t x, int i) { return (x >> (8 * i)) & 0xff; }

/* Immediate lists: LIST(M, X) expands M(X, n) for every n */
#define IMM_U1(M, X) M(X, 0) M(X, 1)
#define IMM_U2(M, X) IMM_U1(M, X) M(X, 2) M(X, 3)
#define IMM_U3(M, X) IMM_U2(M, X) M(X, 4) M(X, 5) M(X, 6) M(X, 7)
#define IMM_U4(M, X) IMM_U3(M, X) M(X, 8) M(X, 9) M(X, 10) M(X, 11)       \
    M(X, 12) M(X, 13) M(X, 14) M(X, 15)
#define IMM_U5(M, X) IMM_U4(M, X) M(X, 16) M(X, 17) M(X, 18) M(X, 19)     \
    M(X, 20) M(X, 21) M(X, 22) M(X, 23) M(X, 24) M(X, 25) M(X, 26)         \
    M(X, 27) M(X, 28) M(X, 29) M(X, 30) M(X, 31)
#define IMM_U6(M, X) IMM_U5(M, X) M(X, 32) M(X, 33) M(X, 34) M(X, 35)     \
    M(X, 36) M(X, 37) M(X, 38) M(X, 39) M(X, 40) M(X, 41) M(X, 42)         \
    M(X, 43) M(X, 44) M(X, 45) M(X, 46) M(X, 47) M(X, 48) M(X, 49)         \
    M(X, 50) M(X, 51) M(X, 52) M(X, 53) M(X, 54) M(X, 55) M(X, 56)         \
    M(X, 57) M(X, 58) M(X, 59) M(X, 60) M(X, 61) M(X, 62) M(X, 63)
#define IMM_S5(M, X) M(X, -16) M(X, -15) M(X, -14) M(X, -13) M(X, -12)    \
    M(X, -11) M(X, -10) M(X, -9) M(X, -8) M(X, -7) M(X, -6) M(X, -5)        \
    M(X, -4) M(X, -3) M(X, -2) M(X, -1) IMM_U4(M, X)
#define IMM_S6(M, X) M(X, -32) M(X, -31) M(X, -30) M(X, -29) M(X, -28)    \
    M(X, -27) M(X, -26) M(X, -25) M(X, -24) M(X, -23) M(X, -22)            \
    M(X, -21) M(X, -20) M(X, -19) M(X, -18) M(X, -17) IMM_S5(M, X)         \
    M(X, 16) M(X, 17) M(X, 18) M(X, 19) M(X, 20) M(X, 21) M(X, 22)         \
    M(X, 23) M(X, 24) M(X, 25) M(X, 26) M(X, 27) M(X, 28) M(X, 29)         \
    M(X, 30) M(X, 31)

/*
 * The tests are compiled for plain RV32IMC so that clang cannot use cv.*
 * instructions in the C references (which would make the comparison
 * circular); each asm statement enables the five extensions for itself.
 */
#define CV_ARCH ".option push\n\t.option arch, +xcvmac, +xcvalu, +xcvsimd, +xcvmem, +xcvbi\n\t"
#define CV_END "\n\t.option pop"

/*
 * Instruction wrappers.  RI: rd = op(rs1, imm); RRI: rd = op(rs1, rs2,
 * imm); RRI_ACC: rd = op(rd, rs1, rs2, imm) (rd read and written).
 * The switch maps a run-time immediate to the asm with that constant.
 */
#define CASE_RI(INSN, n)                                                     \
    case n: __asm__ volatile(CV_ARCH INSN " %0, %1, " #n CV_END : "=r"(r) : "r"(a)); break;
#define CASE_RI_ACC(INSN, n)                                                 \
    case n: __asm__ volatile(CV_ARCH INSN " %0, %1, " #n CV_END : "+r"(r) : "r"(a)); break;
#define CASE_RRI(INSN, n)                                                    \
    case n: __asm__ volatile(CV_ARCH INSN " %0, %1, %2, " #n CV_END              \
                             : "=r"(r) : "r"(a), "r"(b)); break;
#define CASE_RRI_ACC(INSN, n)                                                \
    case n: __asm__ volatile(CV_ARCH INSN " %0, %1, %2, " #n CV_END              \
                             : "+r"(r) : "r"(a), "r"(b)); break;

#define DEF_RI(FN, INSN, LIST)                                               \
    static uint32_t FN(uint32_t a, int imm)                                  \
    {                                                                        \
        uint32_t r = 0xdeadbeef;                                             \
        switch (imm) { LIST(CASE_RI, INSN) }                                 \
        return r;                                                            \
    }
#define DEF_RI_ACC(FN, INSN, LIST)                                           \
    static uint32_t FN(uint32_t d, uint32_t a, int imm)                      \
    {                                                                        \
        uint32_t r = d;                                                      \
        switch (imm) { LIST(CASE_RI_ACC, INSN) }                             \
        return r;                                                            \
    }
#define DEF_RRI(FN, INSN, LIST)                                              \
    static uint32_t FN(uint32_t a, uint32_t b, int imm)                      \
    {                                                                        \
        uint32_t r = 0xdeadbeef;                                             \
        switch (imm) { LIST(CASE_RRI, INSN) }                                \
        return r;                                                            \
    }
#define DEF_RRI_ACC(FN, INSN, LIST)                                          \
    static uint32_t FN(uint32_t d, uint32_t a, uint32_t b, int imm)          \
    {                                                                        \
        uint32_t r = d;                                                      \
        switch (imm) { LIST(CASE_RRI_ACC, INSN) }                            \
        return r;                                                            \
    }

/* Register-only forms */
#define DEF_R(FN, INSN)                                                      \
    static uint32_t FN(uint32_t a)                                           \
    {                                                                        \
        uint32_t r;                                                          \
        __asm__ volatile(CV_ARCH INSN " %0, %1" CV_END : "=r"(r) : "r"(a));  \
        return r;                                                            \
    }
#define DEF_RR(FN, INSN)                                                     \
    static uint32_t FN(uint32_t a, uint32_t b)                               \
    {                                                                        \
        uint32_t r;                                                          \
        __asm__ volatile(CV_ARCH INSN " %0, %1, %2" CV_END                   \
                         : "=r"(r) : "r"(a), "r"(b));                        \
        return r;                                                            \
    }
#define DEF_RR_ACC(FN, INSN)                                                 \
    static uint32_t FN(uint32_t d, uint32_t a, uint32_t b)                   \
    {                                                                        \
        uint32_t r = d;                                                      \
        __asm__ volatile(CV_ARCH INSN " %0, %1, %2" CV_END                   \
                         : "+r"(r) : "r"(a), "r"(b));                        \
        return r;                                                            \
    }

#endif /* COREV_TEST_H */
