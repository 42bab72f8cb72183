/*
 * XCValu: cv.abs, cv.slet(u), cv.min(u), cv.max(u), cv.ext{h,b}{s,z},
 * cv.clip(u)(r), cv.{add,sub}[u][r]N and the register-shift forms ...Nr.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "corev_test.h"

/* ---- references (CV32E40P manual, "General ALU operations") ---- */
static uint32_t ref_abs(uint32_t a)
{
    return (int32_t)a < 0 ? 0u - a : a;
}

static uint32_t ref_clip(uint32_t a, int n)
{
    /* -2^(n-1) .. 2^(n-1)-1; n = 0 gives -1 .. 0 */
    int64_t lo = n ? -((int64_t)1 << (n - 1)) : -1;
    int64_t hi = n ? ((int64_t)1 << (n - 1)) - 1 : 0;
    int64_t x = (int32_t)a;
    if (x <= lo) {
        return (uint32_t)lo;
    } else if (x >= hi) {
        return (uint32_t)hi;
    }
    return a;
}

static uint32_t ref_clipu(uint32_t a, int n)
{
    int64_t hi = n ? ((int64_t)1 << (n - 1)) - 1 : 0;
    int64_t x = (int32_t)a;
    if (x <= 0) {
        return 0;
    } else if (x >= hi) {
        return (uint32_t)hi;
    }
    return a;
}

static uint32_t ref_clipr(uint32_t a, uint32_t b)
{
    int64_t hi = b & 0x7fffffff;
    int64_t lo = -(hi + 1);
    int64_t x = (int32_t)a;
    if (x <= lo) {
        return (uint32_t)lo;
    } else if (x >= hi) {
        return (uint32_t)hi;
    }
    return a;
}

static uint32_t ref_clipur(uint32_t a, uint32_t b)
{
    int64_t hi = b & 0x7fffffff;
    int64_t x = (int32_t)a;
    if (x <= 0) {
        return 0;
    } else if (x >= hi) {
        return (uint32_t)hi;
    }
    return a;
}

/*
 * (x +/- y [+ 2^(n-1)]) >> n; the sum wraps to 32 bits before the shift
 * (the ALU's adder is 32 bits wide); arithmetic shift unless 'uns'.
 */
static uint32_t ref_addsub(uint32_t x, uint32_t y, int n, int sub, int uns,
                           int round)
{
    uint32_t s = sub ? x - y : x + y;
    if (round && n > 0) {
        s += 1u << (n - 1);
    }
    if (uns) {
        return s >> n;
    }
    int64_t v = (int32_t)s;
    return (uint32_t)(v / ((int64_t)1 << n) - ((v % ((int64_t)1 << n)) < 0));
}

/* ---- instructions ---- */
DEF_R(x_abs, "cv.abs")
DEF_RR(x_slet, "cv.slet")
DEF_RR(x_sletu, "cv.sletu")
DEF_RR(x_min, "cv.min")
DEF_RR(x_minu, "cv.minu")
DEF_RR(x_max, "cv.max")
DEF_RR(x_maxu, "cv.maxu")
DEF_R(x_exths, "cv.exths")
DEF_R(x_exthz, "cv.exthz")
DEF_R(x_extbs, "cv.extbs")
DEF_R(x_extbz, "cv.extbz")
DEF_RI(x_clip, "cv.clip", IMM_U5)
DEF_RI(x_clipu, "cv.clipu", IMM_U5)
DEF_RR(x_clipr, "cv.clipr")
DEF_RR(x_clipur, "cv.clipur")
DEF_RRI(x_addn, "cv.addn", IMM_U5)
DEF_RRI(x_addun, "cv.addun", IMM_U5)
DEF_RRI(x_addrn, "cv.addrn", IMM_U5)
DEF_RRI(x_addurn, "cv.addurn", IMM_U5)
DEF_RRI(x_subn, "cv.subn", IMM_U5)
DEF_RRI(x_subun, "cv.subun", IMM_U5)
DEF_RRI(x_subrn, "cv.subrn", IMM_U5)
DEF_RRI(x_suburn, "cv.suburn", IMM_U5)
DEF_RR_ACC(x_addnr, "cv.addnr")
DEF_RR_ACC(x_addunr, "cv.addunr")
DEF_RR_ACC(x_addrnr, "cv.addrnr")
DEF_RR_ACC(x_addurnr, "cv.addurnr")
DEF_RR_ACC(x_subnr, "cv.subnr")
DEF_RR_ACC(x_subunr, "cv.subunr")
DEF_RR_ACC(x_subrnr, "cv.subrnr")
DEF_RR_ACC(x_suburnr, "cv.suburnr")

typedef uint32_t (*rri_fn)(uint32_t, uint32_t, int);
typedef uint32_t (*rr_acc_fn)(uint32_t, uint32_t, uint32_t);

static const struct {
    const char *name;
    rri_fn imm_form;
    rr_acc_fn reg_form;
    const char *reg_name;
    int sub, uns, round;
} addsub[] = {
    {"cv.addn", x_addn, x_addnr, "cv.addnr", 0, 0, 0},
    {"cv.addun", x_addun, x_addunr, "cv.addunr", 0, 1, 0},
    {"cv.addrn", x_addrn, x_addrnr, "cv.addrnr", 0, 0, 1},
    {"cv.addurn", x_addurn, x_addurnr, "cv.addurnr", 0, 1, 1},
    {"cv.subn", x_subn, x_subnr, "cv.subnr", 1, 0, 0},
    {"cv.subun", x_subun, x_subunr, "cv.subunr", 1, 1, 0},
    {"cv.subrn", x_subrn, x_subrnr, "cv.subrnr", 1, 0, 1},
    {"cv.suburn", x_suburn, x_suburnr, "cv.suburnr", 1, 1, 1},
};

/* Known answers from the manual's definitions, including the corner cases */
static void known_answers(void)
{
    check("cv.abs", 0, 0x80000000, 0, 0, x_abs(0x80000000), 0x80000000);
    check("cv.abs", 0, 0xffffffff, 0, 0, x_abs(0xffffffff), 1);
    check("cv.clip", 0, 5, 0, 0, x_clip(5, 0), 0);
    check("cv.clip", 0, 0xfffffffb, 0, 0, x_clip(0xfffffffb, 0), 0xffffffff);
    check("cv.clip", 1, 7, 0, 0, x_clip(7, 1), 0);
    check("cv.clip", 1, 0x80000000, 0, 0, x_clip(0x80000000, 1), 0xffffffff);
    check("cv.clip", 8, 300, 0, 0, x_clip(300, 8), 127);
    check("cv.clip", 8, (uint32_t)-300, 0, 0, x_clip((uint32_t)-300, 8), (uint32_t)-128);
    check("cv.clip", 31, 0x7fffffff, 0, 0, x_clip(0x7fffffff, 31), 0x3fffffff);
    check("cv.clip", 31, 0x80000000, 0, 0, x_clip(0x80000000, 31), 0xc0000000);
    check("cv.clipu", 0, 5, 0, 0, x_clipu(5, 0), 0);
    check("cv.clipu", 9, 300, 0, 0, x_clipu(300, 9), 255);
    check("cv.clipu", 9, (uint32_t)-3, 0, 0, x_clipu((uint32_t)-3, 9), 0);
    check("cv.clipu", 31, 0x7fffffff, 0, 0, x_clipu(0x7fffffff, 31), 0x3fffffff);
    check("cv.clipr", 0, 0x80000000, 0x80000000, 0, x_clipr(0x80000000, 0x80000000), 0xffffffff);
    check("cv.clipr", 0, 100, 0xffffffff, 0, x_clipr(100, 0xffffffff), 100);
    check("cv.clipur", 0, 0xffffffff, 0xffffffff, 0, x_clipur(0xffffffff, 0xffffffff), 0);
    /* sums wrap to 32 bits before the shift */
    check("cv.addn", 1, 0x7fffffff, 1, 0, x_addn(0x7fffffff, 1, 1), 0xc0000000);
    check("cv.addun", 1, 0xffffffff, 1, 0, x_addun(0xffffffff, 1, 1), 0);
    check("cv.addrn", 0, 3, 4, 0, x_addrn(3, 4, 0), 7);
    check("cv.addrn", 1, 3, 4, 0, x_addrn(3, 4, 1), 4);
    check("cv.addrn", 31, 0x40000000, 0, 0, x_addrn(0x40000000, 0, 31), 0xffffffff);
    check("cv.addurn", 31, 0x40000000, 0, 0, x_addurn(0x40000000, 0, 31), 1);
    check("cv.subrn", 2, 0, 6, 0, x_subrn(0, 6, 2), 0xffffffff);
    check("cv.suburn", 2, 0, 6, 0, x_suburn(0, 6, 2), 0x3fffffff);
    check("cv.addnr", 0, 1, 33, 6, x_addnr(6, 1, 33), 3);    /* rs2[4:0] = 1 */
    check("cv.subrnr", 0, 1, 0xffffffe1, 10, x_subrnr(10, 1, 0xffffffe1), 5);
}

int main(void)
{
    known_answers();
    for (int i = 0; i < COREV_TUPLES; i++) {
        uint32_t a, b, c;
        operands(i, &a, &b, &c);
        int32_t sa = (int32_t)a, sb = (int32_t)b;
        check("cv.abs", 0, a, 0, 0, x_abs(a), ref_abs(a));
        check("cv.slet", 0, a, b, 0, x_slet(a, b), sa <= sb);
        check("cv.sletu", 0, a, b, 0, x_sletu(a, b), a <= b);
        check("cv.min", 0, a, b, 0, x_min(a, b), sa < sb ? a : b);
        check("cv.minu", 0, a, b, 0, x_minu(a, b), a < b ? a : b);
        check("cv.max", 0, a, b, 0, x_max(a, b), sa < sb ? b : a);
        check("cv.maxu", 0, a, b, 0, x_maxu(a, b), a < b ? b : a);
        check("cv.exths", 0, a, 0, 0, x_exths(a), (uint32_t)(int32_t)(int16_t)a);
        check("cv.exthz", 0, a, 0, 0, x_exthz(a), a & 0xffff);
        check("cv.extbs", 0, a, 0, 0, x_extbs(a), (uint32_t)(int32_t)(int8_t)a);
        check("cv.extbz", 0, a, 0, 0, x_extbz(a), a & 0xff);
        check("cv.clipr", 0, a, b, 0, x_clipr(a, b), ref_clipr(a, b));
        check("cv.clipur", 0, a, b, 0, x_clipur(a, b), ref_clipur(a, b));
        /* bounds also as small positive values, the common use */
        check("cv.clipr", 0, a, b & 0x3ff, 0, x_clipr(a, b & 0x3ff), ref_clipr(a, b & 0x3ff));
        check("cv.clipur", 0, a, b & 0x3ff, 0, x_clipur(a, b & 0x3ff), ref_clipur(a, b & 0x3ff));
        for (int n = 0; n < 32; n++) {
            check("cv.clip", n, a, 0, 0, x_clip(a, n), ref_clip(a, n));
            check("cv.clipu", n, a, 0, 0, x_clipu(a, n), ref_clipu(a, n));
        }
        for (unsigned k = 0; k < sizeof(addsub) / sizeof(addsub[0]); k++) {
            for (int n = 0; n < 32; n++) {
                check(addsub[k].name, n, a, b, 0, addsub[k].imm_form(a, b, n),
                      ref_addsub(a, b, n, addsub[k].sub, addsub[k].uns, addsub[k].round));
            }
            /* Nr: rD = (rD +/- rs1 [+ round]) >> rs2[4:0]; rd = c */
            uint32_t shifts[] = {b, b & 31, 0, 31, 32, 0xffffffff};
            for (int s = 0; s < 6; s++) {
                check(addsub[k].reg_name, (int)(shifts[s] & 31), a, shifts[s], c,
                      addsub[k].reg_form(c, a, shifts[s]),
                      ref_addsub(c, a, shifts[s] & 31, addsub[k].sub, addsub[k].uns,
                                 addsub[k].round));
            }
        }
    }
    return report("corev_alu");
}
