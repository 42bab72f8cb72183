/*
 * XCVsimd: every packed-SIMD instruction in its .h/.b/.sc/.sci forms:
 * ALU ops, shifts, bitwise ops, comparisons, abs, dot products (signed,
 * unsigned and mixed, plain and accumulating), extract/insert, shuffles,
 * packs and the complex-number instructions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "corev_test.h"

/* ---- reference (CV32E40P manual, "SIMD") ---- */
enum op {
    ADD, SUB, AVG, AVGU, MIN, MINU, MAX, MAXU, SRL, SRA, SLL, OR, XOR, AND,
    CMPEQ, CMPNE, CMPGT, CMPGE, CMPLT, CMPLE, CMPGTU, CMPGEU, CMPLTU, CMPLEU,
};

/* one lane: x, y are the lane bit patterns, w the lane width */
static uint32_t ref_lane(enum op op, int w, uint32_t x, uint32_t y)
{
    uint32_t mask = (1u << w) - 1;
    int32_t sx = (int32_t)(x << (32 - w)) >> (32 - w);
    int32_t sy = (int32_t)(y << (32 - w)) >> (32 - w);
    uint32_t sh = y & (uint32_t)(w - 1);
    uint32_t ones = mask, r;

    switch (op) {
    case ADD: r = x + y; break;
    case SUB: r = x - y; break;
    case AVG: {
        /* ((x + y) & mask) >> 1, arithmetic on the truncated lane */
        uint32_t s = (x + y) & mask;
        r = (s >> 1) | (s & (1u << (w - 1)));
        break;
    }
    case AVGU: r = ((x + y) & mask) >> 1; break;
    case MIN: r = sx < sy ? x : y; break;
    case MINU: r = x < y ? x : y; break;
    case MAX: r = sx > sy ? x : y; break;
    case MAXU: r = x > y ? x : y; break;
    case SRL: r = x >> sh; break;
    case SRA: r = (uint32_t)(sx >> sh); break;
    case SLL: r = x << sh; break;
    case OR: r = x | y; break;
    case XOR: r = x ^ y; break;
    case AND: r = x & y; break;
    case CMPEQ: r = x == y ? ones : 0; break;
    case CMPNE: r = x != y ? ones : 0; break;
    case CMPGT: r = sx > sy ? ones : 0; break;
    case CMPGE: r = sx >= sy ? ones : 0; break;
    case CMPLT: r = sx < sy ? ones : 0; break;
    case CMPLE: r = sx <= sy ? ones : 0; break;
    case CMPGTU: r = x > y ? ones : 0; break;
    case CMPGEU: r = x >= y ? ones : 0; break;
    case CMPLTU: r = x < y ? ones : 0; break;
    case CMPLEU: r = x <= y ? ones : 0; break;
    default: r = 0xdead; break;
    }
    return r & mask;
}

static uint32_t ref_vec(enum op op, int w, uint32_t a, uint32_t b)
{
    uint32_t r = 0, mask = (1u << w) - 1;
    for (int pos = 0; pos < 32; pos += w) {
        r |= ref_lane(op, w, (a >> pos) & mask, (b >> pos) & mask) << pos;
    }
    return r;
}

/* operand 2 of .sc (low lane of rs2) and .sci (immediate) replicated */
static uint32_t splat(uint32_t v, int w)
{
    return w == 16 ? (v & 0xffff) * 0x00010001u : (v & 0xff) * 0x01010101u;
}

/* dot products: signedness of rs1 and op2 lanes */
static uint32_t ref_dot(int w, int sa, int sb, uint32_t a, uint32_t b, uint32_t acc)
{
    int64_t sum = 0;
    for (int i = 0; i < 32 / w; i++) {
        int64_t x = w == 16 ? (sa ? s16(a, i) : (int32_t)u16(a, i)) : (sa ? s8(a, i) : (int32_t)u8(a, i));
        int64_t y = w == 16 ? (sb ? s16(b, i) : (int32_t)u16(b, i)) : (sb ? s8(b, i) : (int32_t)u8(b, i));
        sum += x * y;
    }
    return (uint32_t)sum + acc;
}

/* ---- instruction wrappers ---- */
#define DEF_SIMD6(N, LIST_H, LIST_B)                                         \
    DEF_RR(x_##N##_h, "cv." #N ".h")                                         \
    DEF_RR(x_##N##_b, "cv." #N ".b")                                         \
    DEF_RR(x_##N##_sc_h, "cv." #N ".sc.h")                                   \
    DEF_RR(x_##N##_sc_b, "cv." #N ".sc.b")                                   \
    DEF_RI(x_##N##_sci_h, "cv." #N ".sci.h", LIST_H)                         \
    DEF_RI(x_##N##_sci_b, "cv." #N ".sci.b", LIST_B)
#define DEF_SDOT6(N, LIST)                                                   \
    DEF_RR_ACC(x_##N##_h, "cv." #N ".h")                                     \
    DEF_RR_ACC(x_##N##_b, "cv." #N ".b")                                     \
    DEF_RR_ACC(x_##N##_sc_h, "cv." #N ".sc.h")                               \
    DEF_RR_ACC(x_##N##_sc_b, "cv." #N ".sc.b")                               \
    DEF_RI_ACC(x_##N##_sci_h, "cv." #N ".sci.h", LIST)                       \
    DEF_RI_ACC(x_##N##_sci_b, "cv." #N ".sci.b", LIST)

DEF_SIMD6(add, IMM_S6, IMM_S6)
DEF_SIMD6(sub, IMM_S6, IMM_S6)
DEF_SIMD6(avg, IMM_S6, IMM_S6)
DEF_SIMD6(avgu, IMM_U6, IMM_U6)
DEF_SIMD6(min, IMM_S6, IMM_S6)
DEF_SIMD6(minu, IMM_U6, IMM_U6)
DEF_SIMD6(max, IMM_S6, IMM_S6)
DEF_SIMD6(maxu, IMM_U6, IMM_U6)
DEF_SIMD6(srl, IMM_U4, IMM_U3)
DEF_SIMD6(sra, IMM_U4, IMM_U3)
DEF_SIMD6(sll, IMM_U4, IMM_U3)
DEF_SIMD6(or, IMM_S6, IMM_S6)
DEF_SIMD6(xor, IMM_S6, IMM_S6)
DEF_SIMD6(and, IMM_S6, IMM_S6)
DEF_SIMD6(cmpeq, IMM_S6, IMM_S6)
DEF_SIMD6(cmpne, IMM_S6, IMM_S6)
DEF_SIMD6(cmpgt, IMM_S6, IMM_S6)
DEF_SIMD6(cmpge, IMM_S6, IMM_S6)
DEF_SIMD6(cmplt, IMM_S6, IMM_S6)
DEF_SIMD6(cmple, IMM_S6, IMM_S6)
DEF_SIMD6(cmpgtu, IMM_U6, IMM_U6)
DEF_SIMD6(cmpgeu, IMM_U6, IMM_U6)
DEF_SIMD6(cmpltu, IMM_U6, IMM_U6)
DEF_SIMD6(cmpleu, IMM_U6, IMM_U6)
DEF_SIMD6(dotup, IMM_U6, IMM_U6)
DEF_SIMD6(dotusp, IMM_S6, IMM_S6)
DEF_SIMD6(dotsp, IMM_S6, IMM_S6)
DEF_SDOT6(sdotup, IMM_U6)
DEF_SDOT6(sdotusp, IMM_S6)
DEF_SDOT6(sdotsp, IMM_S6)

typedef uint32_t (*rr_fn)(uint32_t, uint32_t);
typedef uint32_t (*ri_fn)(uint32_t, int);
typedef uint32_t (*rr_acc_fn)(uint32_t, uint32_t, uint32_t);
typedef uint32_t (*ri_acc_fn)(uint32_t, uint32_t, int);

/* imm_kind: 0 signed Imm6, 1 unsigned Imm6, 2 shift amount (.h 0..15, .b 0..7) */
#define ALU_ENTRY(N, OP, KIND) \
    {#N, OP, KIND, x_##N##_h, x_##N##_b, x_##N##_sc_h, x_##N##_sc_b, x_##N##_sci_h, x_##N##_sci_b}
static const struct {
    const char *name;
    enum op op;
    int imm_kind;
    rr_fn h, b, sc_h, sc_b;
    ri_fn sci_h, sci_b;
} alu_ops[] = {
    ALU_ENTRY(add, ADD, 0),       ALU_ENTRY(sub, SUB, 0),       ALU_ENTRY(avg, AVG, 0),
    ALU_ENTRY(avgu, AVGU, 1),     ALU_ENTRY(min, MIN, 0),       ALU_ENTRY(minu, MINU, 1),
    ALU_ENTRY(max, MAX, 0),       ALU_ENTRY(maxu, MAXU, 1),     ALU_ENTRY(srl, SRL, 2),
    ALU_ENTRY(sra, SRA, 2),       ALU_ENTRY(sll, SLL, 2),       ALU_ENTRY(or, OR, 0),
    ALU_ENTRY(xor, XOR, 0),       ALU_ENTRY(and, AND, 0),       ALU_ENTRY(cmpeq, CMPEQ, 0),
    ALU_ENTRY(cmpne, CMPNE, 0),   ALU_ENTRY(cmpgt, CMPGT, 0),   ALU_ENTRY(cmpge, CMPGE, 0),
    ALU_ENTRY(cmplt, CMPLT, 0),   ALU_ENTRY(cmple, CMPLE, 0),   ALU_ENTRY(cmpgtu, CMPGTU, 1),
    ALU_ENTRY(cmpgeu, CMPGEU, 1), ALU_ENTRY(cmpltu, CMPLTU, 1), ALU_ENTRY(cmpleu, CMPLEU, 1),
};

#define DOT_ENTRY(N, SA, SB, KIND) \
    {#N, SA, SB, KIND, x_##N##_h, x_##N##_b, x_##N##_sc_h, x_##N##_sc_b, x_##N##_sci_h, x_##N##_sci_b, \
     x_s##N##_h, x_s##N##_b, x_s##N##_sc_h, x_s##N##_sc_b, x_s##N##_sci_h, x_s##N##_sci_b}
static const struct {
    const char *name;
    int sa, sb, imm_kind;
    rr_fn h, b, sc_h, sc_b;
    ri_fn sci_h, sci_b;
    rr_acc_fn acc_h, acc_b, acc_sc_h, acc_sc_b;
    ri_acc_fn acc_sci_h, acc_sci_b;
} dot_ops[] = {
    DOT_ENTRY(dotup, 0, 0, 1),
    DOT_ENTRY(dotusp, 0, 1, 0),
    DOT_ENTRY(dotsp, 1, 1, 0),
};

static void name_of(char *buf, const char *prefix, const char *op, const char *form)
{
    snprintf(buf, 40, "cv.%s%s%s", prefix, op, form);
}

static void test_alu(int i, uint32_t a, uint32_t b)
{
    char nm[40];
    for (unsigned k = 0; k < sizeof(alu_ops) / sizeof(alu_ops[0]); k++) {
        const char *n = alu_ops[k].name;
        enum op op = alu_ops[k].op;
        name_of(nm, "", n, ".h");
        check(nm, 0, a, b, 0, alu_ops[k].h(a, b), ref_vec(op, 16, a, b));
        name_of(nm, "", n, ".b");
        check(nm, 0, a, b, 0, alu_ops[k].b(a, b), ref_vec(op, 8, a, b));
        name_of(nm, "", n, ".sc.h");
        check(nm, 0, a, b, 0, alu_ops[k].sc_h(a, b), ref_vec(op, 16, a, splat(b, 16)));
        name_of(nm, "", n, ".sc.b");
        check(nm, 0, a, b, 0, alu_ops[k].sc_b(a, b), ref_vec(op, 8, a, splat(b, 8)));
        if (i % 4) {
            continue;
        }
        /* every immediate of the .sci forms */
        int lo = alu_ops[k].imm_kind == 0 ? -32 : 0;
        int hi_h = alu_ops[k].imm_kind == 2 ? 15 : alu_ops[k].imm_kind == 0 ? 31 : 63;
        int hi_b = alu_ops[k].imm_kind == 2 ? 7 : hi_h;
        for (int imm = lo; imm <= hi_h; imm++) {
            name_of(nm, "", n, ".sci.h");
            check(nm, imm, a, 0, 0, alu_ops[k].sci_h(a, imm),
                  ref_vec(op, 16, a, splat((uint32_t)imm, 16)));
        }
        for (int imm = lo; imm <= hi_b; imm++) {
            name_of(nm, "", n, ".sci.b");
            check(nm, imm, a, 0, 0, alu_ops[k].sci_b(a, imm),
                  ref_vec(op, 8, a, splat((uint32_t)imm, 8)));
        }
    }
}

static void test_dot(int i, uint32_t a, uint32_t b, uint32_t d)
{
    char nm[40];
    for (unsigned k = 0; k < sizeof(dot_ops) / sizeof(dot_ops[0]); k++) {
        const char *n = dot_ops[k].name;
        int sa = dot_ops[k].sa, sb = dot_ops[k].sb;
        name_of(nm, "", n, ".h");
        check(nm, 0, a, b, 0, dot_ops[k].h(a, b), ref_dot(16, sa, sb, a, b, 0));
        name_of(nm, "", n, ".b");
        check(nm, 0, a, b, 0, dot_ops[k].b(a, b), ref_dot(8, sa, sb, a, b, 0));
        name_of(nm, "", n, ".sc.h");
        check(nm, 0, a, b, 0, dot_ops[k].sc_h(a, b), ref_dot(16, sa, sb, a, splat(b, 16), 0));
        name_of(nm, "", n, ".sc.b");
        check(nm, 0, a, b, 0, dot_ops[k].sc_b(a, b), ref_dot(8, sa, sb, a, splat(b, 8), 0));
        name_of(nm, "s", n, ".h");
        check(nm, 0, a, b, d, dot_ops[k].acc_h(d, a, b), ref_dot(16, sa, sb, a, b, d));
        name_of(nm, "s", n, ".b");
        check(nm, 0, a, b, d, dot_ops[k].acc_b(d, a, b), ref_dot(8, sa, sb, a, b, d));
        name_of(nm, "s", n, ".sc.h");
        check(nm, 0, a, b, d, dot_ops[k].acc_sc_h(d, a, b), ref_dot(16, sa, sb, a, splat(b, 16), d));
        name_of(nm, "s", n, ".sc.b");
        check(nm, 0, a, b, d, dot_ops[k].acc_sc_b(d, a, b), ref_dot(8, sa, sb, a, splat(b, 8), d));
        if (i % 4) {
            continue;
        }
        int lo = dot_ops[k].imm_kind == 0 ? -32 : 0;
        int hi = dot_ops[k].imm_kind == 0 ? 31 : 63;
        for (int imm = lo; imm <= hi; imm++) {
            uint32_t u = (uint32_t)imm;
            name_of(nm, "", n, ".sci.h");
            check(nm, imm, a, 0, 0, dot_ops[k].sci_h(a, imm), ref_dot(16, sa, sb, a, splat(u, 16), 0));
            name_of(nm, "", n, ".sci.b");
            check(nm, imm, a, 0, 0, dot_ops[k].sci_b(a, imm), ref_dot(8, sa, sb, a, splat(u, 8), 0));
            name_of(nm, "s", n, ".sci.h");
            check(nm, imm, a, 0, d, dot_ops[k].acc_sci_h(d, a, imm), ref_dot(16, sa, sb, a, splat(u, 16), d));
            name_of(nm, "s", n, ".sci.b");
            check(nm, imm, a, 0, d, dot_ops[k].acc_sci_b(d, a, imm), ref_dot(8, sa, sb, a, splat(u, 8), d));
        }
    }
}

/* ---- abs, extract/insert, shuffles, packs ---- */
DEF_R(x_abs_h, "cv.abs.h")
DEF_R(x_abs_b, "cv.abs.b")
DEF_RI(x_extract_h, "cv.extract.h", IMM_U1)
DEF_RI(x_extract_b, "cv.extract.b", IMM_U2)
DEF_RI(x_extractu_h, "cv.extractu.h", IMM_U1)
DEF_RI(x_extractu_b, "cv.extractu.b", IMM_U2)
DEF_RI_ACC(x_insert_h, "cv.insert.h", IMM_U1)
DEF_RI_ACC(x_insert_b, "cv.insert.b", IMM_U2)
DEF_RR(x_shuffle_h, "cv.shuffle.h")
DEF_RR(x_shuffle_b, "cv.shuffle.b")
DEF_RI(x_shuffle_sci_h, "cv.shuffle.sci.h", IMM_U2)
DEF_RI(x_shufflei0_sci_b, "cv.shufflei0.sci.b", IMM_U6)
DEF_RI(x_shufflei1_sci_b, "cv.shufflei1.sci.b", IMM_U6)
DEF_RI(x_shufflei2_sci_b, "cv.shufflei2.sci.b", IMM_U6)
DEF_RI(x_shufflei3_sci_b, "cv.shufflei3.sci.b", IMM_U6)
DEF_RR_ACC(x_shuffle2_h, "cv.shuffle2.h")
DEF_RR_ACC(x_shuffle2_b, "cv.shuffle2.b")
DEF_RR(x_pack, "cv.pack")
DEF_RR(x_pack_h, "cv.pack.h")
DEF_RR_ACC(x_packhi_b, "cv.packhi.b")
DEF_RR_ACC(x_packlo_b, "cv.packlo.b")

static uint32_t ref_abs(int w, uint32_t a)
{
    uint32_t r = 0;
    for (int i = 0; i < 32 / w; i++) {
        int32_t v = w == 16 ? s16(a, i) : s8(a, i);
        uint32_t m = (1u << w) - 1;
        r |= ((uint32_t)(v < 0 ? -v : v) & m) << (i * w);
    }
    return r;
}

static uint32_t get_lane(uint32_t x, int w, int i)
{
    return (x >> (i * w)) & ((1u << w) - 1);
}

static uint32_t set_lane(uint32_t x, int w, int i, uint32_t v)
{
    uint32_t m = ((1u << w) - 1) << (i * w);
    return (x & ~m) | ((v << (i * w)) & m);
}

static void test_misc(uint32_t a, uint32_t b, uint32_t d)
{
    check("cv.abs.h", 0, a, 0, 0, x_abs_h(a), ref_abs(16, a));
    check("cv.abs.b", 0, a, 0, 0, x_abs_b(a), ref_abs(8, a));
    for (int i = 0; i < 2; i++) {
        check("cv.extract.h", i, a, 0, 0, x_extract_h(a, i), (uint32_t)s16(a, i));
        check("cv.extractu.h", i, a, 0, 0, x_extractu_h(a, i), u16(a, i));
        check("cv.insert.h", i, a, 0, d, x_insert_h(d, a, i), set_lane(d, 16, i, a));
    }
    for (int i = 0; i < 4; i++) {
        check("cv.extract.b", i, a, 0, 0, x_extract_b(a, i), (uint32_t)s8(a, i));
        check("cv.extractu.b", i, a, 0, 0, x_extractu_b(a, i), u8(a, i));
        check("cv.insert.b", i, a, 0, d, x_insert_b(d, a, i), set_lane(d, 8, i, a));
    }
    /* shuffles: rD[i] = rs1[sel[i]] with sel from rs2 lanes (bits 0 / 1:0) */
    uint32_t e = 0, f = 0, g = 0, h = 0;
    for (int i = 0; i < 2; i++) {
        e = set_lane(e, 16, i, get_lane(a, 16, get_lane(b, 16, i) & 1));
        uint32_t s = get_lane(b, 16, i);
        g = set_lane(g, 16, i, get_lane((s & 2) ? a : d, 16, s & 1));
    }
    for (int i = 0; i < 4; i++) {
        f = set_lane(f, 8, i, get_lane(a, 8, get_lane(b, 8, i) & 3));
        uint32_t s = get_lane(b, 8, i);
        h = set_lane(h, 8, i, get_lane((s & 4) ? a : d, 8, s & 3));
    }
    check("cv.shuffle.h", 0, a, b, 0, x_shuffle_h(a, b), e);
    check("cv.shuffle.b", 0, a, b, 0, x_shuffle_b(a, b), f);
    check("cv.shuffle2.h", 0, a, b, d, x_shuffle2_h(d, a, b), g);
    check("cv.shuffle2.b", 0, a, b, d, x_shuffle2_b(d, a, b), h);
    for (int imm = 0; imm < 4; imm++) {
        uint32_t r = (get_lane(a, 16, (imm >> 1) & 1) << 16) | get_lane(a, 16, imm & 1);
        check("cv.shuffle.sci.h", imm, a, 0, 0, x_shuffle_sci_h(a, imm), r);
    }
    static const ri_fn shufflei[4] = {x_shufflei0_sci_b, x_shufflei1_sci_b, x_shufflei2_sci_b,
                                      x_shufflei3_sci_b};
    for (int k = 0; k < 4; k++) {
        char nm[40];
        snprintf(nm, sizeof(nm), "cv.shufflei%d.sci.b", k);
        for (int imm = 0; imm < 64; imm++) {
            uint32_t r = (get_lane(a, 8, k) << 24) | (get_lane(a, 8, (imm >> 4) & 3) << 16) |
                         (get_lane(a, 8, (imm >> 2) & 3) << 8) | get_lane(a, 8, imm & 3);
            check(nm, imm, a, 0, 0, shufflei[k](a, imm), r);
        }
    }
    check("cv.pack", 0, a, b, 0, x_pack(a, b), (a << 16) | (b & 0xffff));
    check("cv.pack.h", 0, a, b, 0, x_pack_h(a, b), (a & 0xffff0000u) | (b >> 16));
    check("cv.packhi.b", 0, a, b, d, x_packhi_b(d, a, b),
          ((a & 0xff) << 24) | ((b & 0xff) << 16) | (d & 0xffff));
    check("cv.packlo.b", 0, a, b, d, x_packlo_b(d, a, b),
          (d & 0xffff0000u) | ((a & 0xff) << 8) | (b & 0xff));
}

/* ---- complex numbers: lane 0 real, lane 1 imaginary ---- */
DEF_RR_ACC(x_cplxmul_r, "cv.cplxmul.r")
DEF_RR_ACC(x_cplxmul_r_div2, "cv.cplxmul.r.div2")
DEF_RR_ACC(x_cplxmul_r_div4, "cv.cplxmul.r.div4")
DEF_RR_ACC(x_cplxmul_r_div8, "cv.cplxmul.r.div8")
DEF_RR_ACC(x_cplxmul_i, "cv.cplxmul.i")
DEF_RR_ACC(x_cplxmul_i_div2, "cv.cplxmul.i.div2")
DEF_RR_ACC(x_cplxmul_i_div4, "cv.cplxmul.i.div4")
DEF_RR_ACC(x_cplxmul_i_div8, "cv.cplxmul.i.div8")
DEF_R(x_cplxconj, "cv.cplxconj")
DEF_RR(x_subrotmj, "cv.subrotmj")
DEF_RR(x_subrotmj_div2, "cv.subrotmj.div2")
DEF_RR(x_subrotmj_div4, "cv.subrotmj.div4")
DEF_RR(x_subrotmj_div8, "cv.subrotmj.div8")
DEF_RR(x_add_div2, "cv.add.div2")
DEF_RR(x_add_div4, "cv.add.div4")
DEF_RR(x_add_div8, "cv.add.div8")
DEF_RR(x_sub_div2, "cv.sub.div2")
DEF_RR(x_sub_div4, "cv.sub.div4")
DEF_RR(x_sub_div8, "cv.sub.div8")

/*
 * (sum of 16x16 products) >> (15 + s): the sum is formed in 32 bits (the
 * dot-product unit's width), then shifted arithmetically; 16 bits kept.
 */
static uint32_t cplx_shift(int64_t sum, int s)
{
    int32_t w = (int32_t)(uint32_t)sum;
    return (uint32_t)(w >> (15 + s)) & 0xffff;
}

/* ((v & 0xffff) as a signed 16-bit value) >> s, 16 bits kept */
static uint32_t half_sra(uint32_t v, int s)
{
    return (uint32_t)((int16_t)v >> s) & 0xffff;
}

static void test_complex(uint32_t a, uint32_t b, uint32_t d)
{
    static const rr_acc_fn mr[4] = {x_cplxmul_r, x_cplxmul_r_div2, x_cplxmul_r_div4, x_cplxmul_r_div8};
    static const rr_acc_fn mi[4] = {x_cplxmul_i, x_cplxmul_i_div2, x_cplxmul_i_div4, x_cplxmul_i_div8};
    static const rr_fn rot[4] = {x_subrotmj, x_subrotmj_div2, x_subrotmj_div4, x_subrotmj_div8};
    static const rr_fn addd[4] = {0, x_add_div2, x_add_div4, x_add_div8};
    static const rr_fn subd[4] = {0, x_sub_div2, x_sub_div4, x_sub_div8};
    static const char *const sfx[4] = {"", ".div2", ".div4", ".div8"};
    int64_t ar = s16(a, 0), ai = s16(a, 1), br = s16(b, 0), bi = s16(b, 1);
    char nm[40];

    for (int s = 0; s < 4; s++) {
        snprintf(nm, sizeof(nm), "cv.cplxmul.r%s", sfx[s]);
        check(nm, s, a, b, d, mr[s](d, a, b), (d & 0xffff0000u) | cplx_shift(ar * br - ai * bi, s));
        snprintf(nm, sizeof(nm), "cv.cplxmul.i%s", sfx[s]);
        check(nm, s, a, b, d, mi[s](d, a, b), (cplx_shift(ar * bi + ai * br, s) << 16) | (d & 0xffff));
        snprintf(nm, sizeof(nm), "cv.subrotmj%s", sfx[s]);
        check(nm, s, a, b, 0, rot[s](a, b),
              (half_sra(u16(b, 0) - u16(a, 0), s) << 16) | half_sra(u16(a, 1) - u16(b, 1), s));
        if (s == 0) {
            continue;
        }
        snprintf(nm, sizeof(nm), "cv.add%s", sfx[s]);
        check(nm, s, a, b, 0, addd[s](a, b),
              (half_sra(u16(a, 1) + u16(b, 1), s) << 16) | half_sra(u16(a, 0) + u16(b, 0), s));
        snprintf(nm, sizeof(nm), "cv.sub%s", sfx[s]);
        check(nm, s, a, b, 0, subd[s](a, b),
              (half_sra(u16(a, 1) - u16(b, 1), s) << 16) | half_sra(u16(a, 0) - u16(b, 0), s));
    }
    check("cv.cplxconj", 0, a, 0, 0, x_cplxconj(a), ((0u - u16(a, 1)) << 16) | u16(a, 0));
}

static void known_answers(void)
{
    /* lane sums are truncated before the shift of avg */
    check("cv.avg.h", 0, 0x7fff7fff, 0x00010001, 0, x_avg_h(0x7fff7fff, 0x00010001), 0xc000c000);
    check("cv.avgu.b", 0, 0xff01ff80, 0x01010180, 0, x_avgu_b(0xff01ff80, 0x01010180), 0x00010000);
    check("cv.abs.h", 0, 0x80000001, 0, 0, x_abs_h(0x80000001), 0x80000001);
    check("cv.abs.b", 0, 0x80ff7f01, 0, 0, x_abs_b(0x80ff7f01), 0x80017f01);
    check("cv.add.sci.h", -22, 0x00160017, 0, 0, x_add_sci_h(0x00160017, -22), 0x00000001);
    check("cv.avgu.sci.b", 63, 0x01010101, 0, 0, x_avgu_sci_b(0x01010101, 63), 0x20202020);
    check("cv.sra.sci.h", 15, 0x80007fff, 0, 0, x_sra_sci_h(0x80007fff, 15), 0xffff0000);
    check("cv.srl.sc.b", 0, 0x80808080, 0x00000107, 0, x_srl_sc_b(0x80808080, 0x107), 0x01010101);
    /* mixed signedness: rs1 unsigned, rs2 signed */
    check("cv.dotusp.b", 0, 0xffffffff, 0xffffffff, 0, x_dotusp_b(0xffffffff, 0xffffffff), (uint32_t)-1020);
    check("cv.dotup.b", 0, 0xffffffff, 0xffffffff, 0, x_dotup_b(0xffffffff, 0xffffffff), 4 * 65025);
    check("cv.dotsp.b", 0, 0xffffffff, 0xffffffff, 0, x_dotsp_b(0xffffffff, 0xffffffff), 4);
    check("cv.dotup.h", 0, 0xffffffff, 0xffffffff, 0, x_dotup_h(0xffffffff, 0xffffffff), 0xfffc0002);
    check("cv.dotup.sci.b", 63, 0x01020304, 0, 0, x_dotup_sci_b(0x01020304, 63), 630);
    check("cv.dotusp.sci.h", -1, 0x00020003, 0, 0, x_dotusp_sci_h(0x00020003, -1), (uint32_t)-5);
    check("cv.sdotsp.b", 0, 0x80ff0102, 0x80ff0304, 10, x_sdotsp_b(10, 0x80ff0102, 0x80ff0304), 16406);
    /* -32768 * -32768 twice: the 32-bit sum wraps to -2^31 */
    check("cv.cplxmul.i", 0, 0x80008000, 0x80008000, 0x1234,
          x_cplxmul_i(0x1234, 0x80008000, 0x80008000), 0x00001234);
    check("cv.cplxmul.i.div2", 0, 0x80008000, 0x80008000, 0x1234,
          x_cplxmul_i_div2(0x1234, 0x80008000, 0x80008000), 0x80001234);
    check("cv.cplxmul.r", 0, 0x00004000, 0x00004000, 0xabcd0000,
          x_cplxmul_r(0xabcd0000, 0x00004000, 0x00004000), 0xabcd2000);
    check("cv.cplxconj", 0, 0x80000005, 0, 0, x_cplxconj(0x80000005), 0x80000005);
    check("cv.subrotmj", 0, 0x00030001, 0x00010005, 0, x_subrotmj(0x00030001, 0x00010005), 0x00040002);
    check("cv.add.div2", 0, 0x7fff0003, 0x00010001, 0, x_add_div2(0x7fff0003, 0x00010001), 0xc0000002);
}

int main(void)
{
    known_answers();
    for (int i = 0; i < COREV_TUPLES; i++) {
        uint32_t a, b, c;
        operands(i, &a, &b, &c);
        test_alu(i, a, b);
        test_dot(i, a, b, c);
        test_misc(a, b, c);
        test_complex(a, b, c);
    }
    return report("corev_simd");
}
