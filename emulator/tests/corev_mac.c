/*
 * XCVmac: cv.mac, cv.msu and the 16x16-bit multiplications and
 * multiply-accumulates with normalisation and rounding (cv.mul{s,u}[hh][r]n,
 * cv.mac{s,u}[hh][r]n) for every shift 0..31, plus the aliases cv.muls,
 * cv.mulhhs, cv.mulu, cv.mulhhu.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "corev_test.h"

/*
 * Reference (CV32E40P manual, "16-Bit x 16-Bit Multiplication"):
 * rD = (ext(rs1 half) * ext(rs2 half) [+ rD] [+ 2^(n-1)]) >> n, the sum
 * taken modulo 2^32 before the (arithmetic for signed) shift.
 */
static uint32_t ref_mul16(uint32_t a, uint32_t b, uint32_t d, int n, int is_signed,
                          int hh, int round, int acc)
{
    int64_t x, y;
    if (is_signed) {
        x = hh ? s16(a, 1) : s16(a, 0);
        y = hh ? s16(b, 1) : s16(b, 0);
    } else {
        x = hh ? u16(a, 1) : u16(a, 0);
        y = hh ? u16(b, 1) : u16(b, 0);
    }
    uint32_t s = (uint32_t)(x * y);
    if (acc) {
        s += d;
    }
    if (round && n) {
        s += 1u << (n - 1);
    }
    if (!is_signed) {
        return s >> n;
    }
    /* arithmetic shift as a floor division */
    int64_t v = (int32_t)s, p = (int64_t)1 << n;
    int64_t q = v / p;
    if (v % p < 0) {
        q--;
    }
    return (uint32_t)q;
}

DEF_RR_ACC(x_mac, "cv.mac")
DEF_RR_ACC(x_msu, "cv.msu")
DEF_RR(x_muls, "cv.muls")
DEF_RR(x_mulhhs, "cv.mulhhs")
DEF_RR(x_mulu, "cv.mulu")
DEF_RR(x_mulhhu, "cv.mulhhu")
DEF_RRI(x_mulsn, "cv.mulsn", IMM_U5)
DEF_RRI(x_mulhhsn, "cv.mulhhsn", IMM_U5)
DEF_RRI(x_mulsrn, "cv.mulsrn", IMM_U5)
DEF_RRI(x_mulhhsrn, "cv.mulhhsrn", IMM_U5)
DEF_RRI(x_mulun, "cv.mulun", IMM_U5)
DEF_RRI(x_mulhhun, "cv.mulhhun", IMM_U5)
DEF_RRI(x_mulurn, "cv.mulurn", IMM_U5)
DEF_RRI(x_mulhhurn, "cv.mulhhurn", IMM_U5)
DEF_RRI_ACC(x_macsn, "cv.macsn", IMM_U5)
DEF_RRI_ACC(x_machhsn, "cv.machhsn", IMM_U5)
DEF_RRI_ACC(x_macsrn, "cv.macsrn", IMM_U5)
DEF_RRI_ACC(x_machhsrn, "cv.machhsrn", IMM_U5)
DEF_RRI_ACC(x_macun, "cv.macun", IMM_U5)
DEF_RRI_ACC(x_machhun, "cv.machhun", IMM_U5)
DEF_RRI_ACC(x_macurn, "cv.macurn", IMM_U5)
DEF_RRI_ACC(x_machhurn, "cv.machhurn", IMM_U5)

static const struct {
    const char *name;
    uint32_t (*mul)(uint32_t, uint32_t, int);
    int is_signed, hh, round;
} muls[] = {
    {"cv.mulsn", x_mulsn, 1, 0, 0},     {"cv.mulhhsn", x_mulhhsn, 1, 1, 0},
    {"cv.mulsrn", x_mulsrn, 1, 0, 1},   {"cv.mulhhsrn", x_mulhhsrn, 1, 1, 1},
    {"cv.mulun", x_mulun, 0, 0, 0},     {"cv.mulhhun", x_mulhhun, 0, 1, 0},
    {"cv.mulurn", x_mulurn, 0, 0, 1},   {"cv.mulhhurn", x_mulhhurn, 0, 1, 1},
};

static const struct {
    const char *name;
    uint32_t (*mac)(uint32_t, uint32_t, uint32_t, int);
    int is_signed, hh, round;
} macs[] = {
    {"cv.macsn", x_macsn, 1, 0, 0},     {"cv.machhsn", x_machhsn, 1, 1, 0},
    {"cv.macsrn", x_macsrn, 1, 0, 1},   {"cv.machhsrn", x_machhsrn, 1, 1, 1},
    {"cv.macun", x_macun, 0, 0, 0},     {"cv.machhun", x_machhun, 0, 1, 0},
    {"cv.macurn", x_macurn, 0, 0, 1},   {"cv.machhurn", x_machhurn, 0, 1, 1},
};

static void known_answers(void)
{
    check("cv.muls", 0, 0x8000, 0x8000, 0, x_muls(0x8000, 0x8000), 0x40000000);
    check("cv.muls", 0, 0xffff, 0x0002, 0, x_muls(0xffff, 0x0002), 0xfffffffe);
    check("cv.mulu", 0, 0xffff, 0xffff, 0, x_mulu(0xffff, 0xffff), 0xfffe0001);
    check("cv.mulhhs", 0, 0x80000000, 0x80001234, 0, x_mulhhs(0x80000000, 0x80001234), 0x40000000);
    check("cv.mulhhu", 0, 0xffff0000, 0xffff0000, 0, x_mulhhu(0xffff0000, 0xffff0000), 0xfffe0001);
    check("cv.mulsn", 4, 0xfff1, 1, 0, x_mulsn(0xfff1, 1, 4), 0xffffffff);     /* -15 >> 4 */
    check("cv.mulsrn", 4, 0xfff1, 1, 0, x_mulsrn(0xfff1, 1, 4), 0xffffffff);   /* (-15+8) >> 4 */
    check("cv.mulsrn", 4, 0xfff8, 1, 0, x_mulsrn(0xfff8, 1, 4), 0);            /* (-8+8) >> 4 */
    /* -32768 * -32768 + 2^30 wraps to -2^31 before the shift */
    check("cv.mulsrn", 31, 0x8000, 0x8000, 0, x_mulsrn(0x8000, 0x8000, 31), 0xffffffff);
    check("cv.mulurn", 31, 0x8000, 0x8000, 0, x_mulurn(0x8000, 0x8000, 31), 1);
    check("cv.macsn", 1, 1, 1, 0x7fffffff, x_macsn(0x7fffffff, 1, 1, 1), 0xc0000000);
    check("cv.macun", 1, 1, 1, 0xffffffff, x_macun(0xffffffff, 1, 1, 1), 0);
    check("cv.mac", 0, 0x10000, 0x10000, 5, x_mac(5, 0x10000, 0x10000), 5);
    check("cv.msu", 0, 3, 0xffffffff, 5, x_msu(5, 3, 0xffffffff), 8);
}

int main(void)
{
    known_answers();
    for (int i = 0; i < COREV_TUPLES; i++) {
        uint32_t a, b, d;
        operands(i, &a, &b, &d);
        check("cv.mac", 0, a, b, d, x_mac(d, a, b), d + a * b);
        check("cv.msu", 0, a, b, d, x_msu(d, a, b), d - a * b);
        check("cv.muls", 0, a, b, 0, x_muls(a, b), ref_mul16(a, b, 0, 0, 1, 0, 0, 0));
        check("cv.mulhhs", 0, a, b, 0, x_mulhhs(a, b), ref_mul16(a, b, 0, 0, 1, 1, 0, 0));
        check("cv.mulu", 0, a, b, 0, x_mulu(a, b), ref_mul16(a, b, 0, 0, 0, 0, 0, 0));
        check("cv.mulhhu", 0, a, b, 0, x_mulhhu(a, b), ref_mul16(a, b, 0, 0, 0, 1, 0, 0));
        for (int n = 0; n < 32; n++) {
            for (unsigned k = 0; k < 8; k++) {
                check(muls[k].name, n, a, b, 0, muls[k].mul(a, b, n),
                      ref_mul16(a, b, 0, n, muls[k].is_signed, muls[k].hh, muls[k].round, 0));
                check(macs[k].name, n, a, b, d, macs[k].mac(d, a, b, n),
                      ref_mul16(a, b, d, n, macs[k].is_signed, macs[k].hh, macs[k].round, 1));
            }
        }
    }
    return report("corev_mac");
}
