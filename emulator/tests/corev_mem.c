/*
 * XCVmem: cv.lb/lbu/lh/lhu/lw and cv.sb/sh/sw in their three forms:
 * post-increment by an immediate, post-increment by a register, and
 * register-register addressing; base write-back, aliasing of rD with rs1
 * and rs2, rD = x0, negative offsets.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "corev_test.h"

static uint8_t buf[1024] __attribute__((aligned(8)));
static uint8_t ref[1024];

static void fill(void)
{
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)rnd32();
    }
    memcpy(ref, buf, sizeof(buf));
}

/* reference load of 'size' bytes at buffer offset 'off' */
static uint32_t ref_load(int off, int size, int is_signed)
{
    uint32_t v = 0;
    for (int i = size - 1; i >= 0; i--) {
        v = (v << 8) | ref[off + i];
    }
    if (is_signed && size < 4) {
        uint32_t sign = 1u << (8 * size - 1);
        v = (v ^ sign) - sign;
    }
    return v;
}

static void ref_store(int off, int size, uint32_t v)
{
    for (int i = 0; i < size; i++) {
        ref[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static void check_memory(const char *insn, int imm)
{
    for (unsigned i = 0; i < sizeof(buf); i++) {
        if (buf[i] != ref[i]) {
            check(insn, imm, i, buf[i], 0, buf[i], ref[i]);
            memcpy(ref, buf, sizeof(buf));
            return;
        }
    }
    check(insn, imm, 0, 0, 0, 0, 0);
}

/* post-increment immediates, including the extremes of the 12-bit field */
#define IMM_MEM(M, X) M(X, -2048) M(X, -256) M(X, -5) M(X, -4) M(X, -1)      \
    M(X, 0) M(X, 1) M(X, 2) M(X, 3) M(X, 4) M(X, 8) M(X, 255) M(X, 2047)
static const int mem_imms[] = {-2048, -256, -5, -4, -1, 0, 1, 2, 3, 4, 8, 255, 2047};
#define N_MEM_IMMS ((int)(sizeof(mem_imms) / sizeof(mem_imms[0])))

/* loads: r = mem[p]; p += imm / p += q; or r = mem[p + q] */
#define CASE_LD_RI_INC(INSN, n)                                              \
    case n: __asm__ volatile(CV_ARCH INSN " %0, (%1), " #n CV_END           \
                             : "=&r"(r), "+r"(p) : : "memory"); break;
#define DEF_LOAD(N)                                                          \
    static uint32_t N##_ri_inc(uint32_t *pp, int imm)                        \
    {                                                                        \
        uint32_t r = 0xdeadbeef, p = *pp;                                    \
        switch (imm) { IMM_MEM(CASE_LD_RI_INC, "cv." #N) }                   \
        *pp = p;                                                             \
        return r;                                                            \
    }                                                                        \
    static uint32_t N##_rr_inc(uint32_t *pp, uint32_t q)                     \
    {                                                                        \
        uint32_t r, p = *pp;                                                 \
        __asm__ volatile(CV_ARCH "cv." #N " %0, (%1), %2" CV_END                     \
                         : "=&r"(r), "+r"(p) : "r"(q) : "memory");           \
        *pp = p;                                                             \
        return r;                                                            \
    }                                                                        \
    static uint32_t N##_rr(uint32_t p, uint32_t q)                           \
    {                                                                        \
        uint32_t r;                                                          \
        __asm__ volatile(CV_ARCH "cv." #N " %0, %2(%1)" CV_END                       \
                         : "=r"(r) : "r"(p), "r"(q) : "memory");             \
        return r;                                                            \
    }

DEF_LOAD(lb)
DEF_LOAD(lbu)
DEF_LOAD(lh)
DEF_LOAD(lhu)
DEF_LOAD(lw)

/* stores: mem[p] = v; p += imm / p += q; or mem[p + q] = v */
#define CASE_ST_RI_INC(INSN, n)                                              \
    case n: __asm__ volatile(CV_ARCH INSN " %1, (%0), " #n CV_END           \
                             : "+r"(p) : "r"(v) : "memory"); break;
#define DEF_STORE(N)                                                         \
    static void N##_ri_inc(uint32_t *pp, uint32_t v, int imm)                \
    {                                                                        \
        uint32_t p = *pp;                                                    \
        switch (imm) { IMM_MEM(CASE_ST_RI_INC, "cv." #N) }                   \
        *pp = p;                                                             \
    }                                                                        \
    static void N##_rr_inc(uint32_t *pp, uint32_t v, uint32_t q)             \
    {                                                                        \
        uint32_t p = *pp;                                                    \
        __asm__ volatile(CV_ARCH "cv." #N " %1, (%0), %2" CV_END                     \
                         : "+r"(p) : "r"(v), "r"(q) : "memory");             \
        *pp = p;                                                             \
    }                                                                        \
    static void N##_rr(uint32_t p, uint32_t v, uint32_t q)                   \
    {                                                                        \
        __asm__ volatile(CV_ARCH "cv." #N " %1, %2(%0)" CV_END                       \
                         : : "r"(p), "r"(v), "r"(q) : "memory");             \
    }

DEF_STORE(sb)
DEF_STORE(sh)
DEF_STORE(sw)

typedef uint32_t (*ld_ri_fn)(uint32_t *, int);
typedef uint32_t (*ld_rr_inc_fn)(uint32_t *, uint32_t);
typedef uint32_t (*ld_rr_fn)(uint32_t, uint32_t);
static const struct {
    const char *name;
    int size, is_signed;
    ld_ri_fn ri_inc;
    ld_rr_inc_fn rr_inc;
    ld_rr_fn rr;
} loads[] = {
    {"cv.lb", 1, 1, lb_ri_inc, lb_rr_inc, lb_rr},
    {"cv.lbu", 1, 0, lbu_ri_inc, lbu_rr_inc, lbu_rr},
    {"cv.lh", 2, 1, lh_ri_inc, lh_rr_inc, lh_rr},
    {"cv.lhu", 2, 0, lhu_ri_inc, lhu_rr_inc, lhu_rr},
    {"cv.lw", 4, 0, lw_ri_inc, lw_rr_inc, lw_rr},
};

typedef void (*st_ri_fn)(uint32_t *, uint32_t, int);
typedef void (*st_rr_inc_fn)(uint32_t *, uint32_t, uint32_t);
typedef void (*st_rr_fn)(uint32_t, uint32_t, uint32_t);
static const struct {
    const char *name;
    int size;
    st_ri_fn ri_inc;
    st_rr_inc_fn rr_inc;
    st_rr_fn rr;
} stores[] = {
    {"cv.sb", 1, sb_ri_inc, sb_rr_inc, sb_rr},
    {"cv.sh", 2, sh_ri_inc, sh_rr_inc, sh_rr},
    {"cv.sw", 4, sw_ri_inc, sw_rr_inc, sw_rr},
};

/* a naturally aligned buffer offset for an access of 'size' bytes */
static int rnd_off(int size)
{
    return (int)(rnd32() % (sizeof(buf) - 8)) & ~(size - 1);
}

static void test_loads(void)
{
    uint32_t base = (uint32_t)(uintptr_t)buf;
    for (unsigned k = 0; k < sizeof(loads) / sizeof(loads[0]); k++) {
        int size = loads[k].size, sgn = loads[k].is_signed;
        const char *n = loads[k].name;
        for (int it = 0; it < 300; it++) {
            int off = rnd_off(size);
            uint32_t exp = ref_load(off, size, sgn);
            /* post-increment by every immediate */
            for (int j = 0; j < N_MEM_IMMS; j++) {
                uint32_t p = base + off;
                uint32_t r = loads[k].ri_inc(&p, mem_imms[j]);
                check(n, mem_imms[j], base + off, 0, 0, r, exp);
                check(n, mem_imms[j], base + off, 0, 0, p, base + off + mem_imms[j]);
            }
            /* post-increment by a register (any value) */
            uint32_t q = rnd_operand();
            uint32_t p = base + off;
            uint32_t r = loads[k].rr_inc(&p, q);
            check(n, 0, base + off, q, 0, r, exp);
            check(n, 0, base + off, q, 0, p, base + off + q);
            /* register-register: base + index, index negative or positive */
            int32_t idx = (int32_t)(rnd32() % 4001) - 2000;
            r = loads[k].rr(base + off - idx, (uint32_t)idx);
            check(n, idx, base + off - idx, (uint32_t)idx, 0, r, exp);
        }
    }
}

static void test_stores(void)
{
    uint32_t base = (uint32_t)(uintptr_t)buf;
    for (unsigned k = 0; k < sizeof(stores) / sizeof(stores[0]); k++) {
        int size = stores[k].size;
        const char *n = stores[k].name;
        for (int it = 0; it < 100; it++) {
            for (int j = 0; j < N_MEM_IMMS; j++) {
                int off = rnd_off(size);
                uint32_t v = rnd_operand();
                uint32_t p = base + off;
                stores[k].ri_inc(&p, v, mem_imms[j]);
                ref_store(off, size, v);
                check(n, mem_imms[j], base + off, v, 0, p, base + off + mem_imms[j]);
                check_memory(n, mem_imms[j]);
            }
            int off = rnd_off(size);
            uint32_t v = rnd_operand(), q = rnd_operand();
            uint32_t p = base + off;
            stores[k].rr_inc(&p, v, q);
            ref_store(off, size, v);
            check(n, 0, base + off, q, 0, p, base + off + q);
            check_memory(n, 0);
            off = rnd_off(size);
            int32_t idx = (int32_t)(rnd32() % 4001) - 2000;
            v = rnd_operand();
            stores[k].rr(base + off - idx, v, (uint32_t)idx);
            ref_store(off, size, v);
            check_memory(n, idx);
        }
    }
}

/* aliasing and x0 cases */
static void test_aliasing(void)
{
    uint32_t base = (uint32_t)(uintptr_t)buf;
    uint32_t p, r;

    /* rD == rs1: the loaded value wins over the incremented address */
    p = base + 16;
    __asm__ volatile(CV_ARCH "cv.lw %0, (%0), 4" CV_END : "+r"(p) : : "memory");
    check("cv.lw rd=rs1", 4, base + 16, 0, 0, p, ref_load(16, 4, 0));
    p = base + 20;
    __asm__ volatile(CV_ARCH "cv.lhu %0, (%0), %1" CV_END : "+r"(p) : "r"(8) : "memory");
    check("cv.lhu rd=rs1", 0, base + 20, 8, 0, p, ref_load(20, 2, 0));
    /* rD == rs2 in the register post-increment: the old rs2 is the offset */
    p = base + 32;
    r = 12;
    __asm__ volatile(CV_ARCH "cv.lb %0, (%1), %0" CV_END : "+r"(r), "+r"(p) : : "memory");
    check("cv.lb rd=rs2", 0, base + 32, 12, 0, r, ref_load(32, 1, 1));
    check("cv.lb rd=rs2", 0, base + 32, 12, 0, p, base + 44);
    /* rD = x0: the base is still written back */
    p = base + 40;
    __asm__ volatile(CV_ARCH "cv.lw x0, (%0), -8" CV_END : "+r"(p) : : "memory");
    check("cv.lw rd=x0", -8, base + 40, 0, 0, p, base + 32);
    p = base + 40;
    __asm__ volatile(CV_ARCH "cv.lbu x0, (%0), %1" CV_END : "+r"(p) : "r"(3) : "memory");
    check("cv.lbu rd=x0", 0, base + 40, 3, 0, p, base + 43);
    /* rD == rs1 == rs2 in the register-register load */
    p = base + 48;
    r = p;
    __asm__ volatile(CV_ARCH "cv.lbu %0, %0(%1)" CV_END : "+r"(r) : "r"(0) : "memory");
    check("cv.lbu rr", 0, base + 48, 0, 0, r, ref_load(48, 1, 0));
    /* store of the base register itself: the old value is stored */
    p = base + 64;
    __asm__ volatile(CV_ARCH "cv.sw %0, (%0), 4" CV_END : "+r"(p) : : "memory");
    ref_store(64, 4, base + 64);
    check("cv.sw rs2=rs1", 4, base + 64, 0, 0, p, base + 68);
    check_memory("cv.sw rs2=rs1", 4);
    p = base + 72;
    __asm__ volatile(CV_ARCH "cv.sh %0, (%0), %0" CV_END : "+r"(p) : : "memory");
    ref_store(72, 2, base + 72);
    check("cv.sh rs2=rs1=rs3", 0, base + 72, 0, 0, p, 2 * (base + 72));
    check_memory("cv.sh rs2=rs1=rs3", 0);
    /* a walk with the pointer carried from one post-increment to the next */
    p = base + 100;
    uint32_t sum = 0, exp = 0;
    for (int i = 0; i < 50; i++) {
        exp += ref_load(100 + 3 * i, 1, 1);
        sum += lb_ri_inc(&p, 3);
    }
    check("cv.lb walk", 3, base + 100, 0, 0, sum, exp);
    check("cv.lb walk", 3, base + 100, 0, 0, p, base + 250);
}

/* misaligned accesses (the CV32E40P splits them; QEMU handles them like lw/sw) */
static void test_misaligned(void)
{
    uint32_t base = (uint32_t)(uintptr_t)buf;
    for (int off = 201; off < 209; off++) {
        uint32_t p = base + off;
        check("cv.lw misaligned", off, p, 0, 0, lw_ri_inc(&p, 4), ref_load(off, 4, 0));
        check("cv.lw misaligned", off, base + off, 0, 0, p, base + off + 4);
        check("cv.lh misaligned", off, base + off, 0, 0, lh_rr(base, (uint32_t)off), ref_load(off, 2, 1));
        p = base + off + 300;
        uint32_t v = rnd32();
        sw_rr_inc(&p, v, (uint32_t)-3);
        ref_store(off + 300, 4, v);
        check("cv.sw misaligned", off, base + off + 300, v, 0, p, base + off + 297);
        check_memory("cv.sw misaligned", off);
        sh_rr(base + 600, v, (uint32_t)off);
        ref_store(600 + off, 2, v);
        check_memory("cv.sh misaligned", off);
    }
}

int main(void)
{
    fill();
    test_loads();
    test_stores();
    test_aliasing();
    test_misaligned();
    return report("corev_mem");
}
