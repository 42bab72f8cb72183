/* Checks the CORE-V (Xpulp) kernels other than the products against the generic ones and counts their
 * instructions: element-wise Add/Sub/Mul (elementwise_xpulp.c), RequantShift and requantized iHardswish
 * (requant_xpulp.c), iRMSNorm (norm_xpulp.c), iSoftmax (softmax_xpulp.c), depthwise convolution
 * (dwconv_xpulp.c),
 * ReduceSum/ReduceMax and MaxPool (reduce_xpulp.c), dp_copy (copy.c) and byte transposes
 * (transpose_xpulp.c, through dp_strided_copy).
 *
 * Built for the emulated cluster (clang-19 with the CORE-V extensions, run_check.sh), the kernels
 * instantiated here from xpulp_misc_kernels.inc take the CORE-V hooks; xpulp_misc_generic.c instantiates
 * the same ones with DP_GENERIC_KERNELS. Random shapes (rows from 1 to 70 elements, every length modulo 4),
 * broadcasting, operands at every byte offset, values drawn to hit the edges of their types (-128, 127,
 * 0, 255, saturating requantizations); outputs must be equal byte for byte and the bytes after them
 * untouched. Then minstret (exact under QEMU's -icount shift=0) counts instructions per element of each
 * kernel, generic against CORE-V. Exit status 0 when every check passed. */
#include <stdio.h>

#include "xpulp_misc_check.h"

#define XM_TABLE xm_test
#include "xpulp_misc_kernels.inc"

#define GUARD 16
#define POOL 4096

static uint8_t in_a[POOL + 8], in_b[POOL + 8];
static int32_t y_test[POOL + GUARD], y_ref[POOL + GUARD];

#define XPULP_RANDOM_SEED 0x9E3779B9u
#include "xpulp_support.h"
/* A row length: short ones half of the time. */
static int32_t rnd_len(void) { return rnd() & 1 ? rnd_in(1, 12) : rnd_in(1, 70); }
/* Random bytes, a quarter of them the edges of int8 and uint8. */
static void fill_bytes(uint8_t *p, int32_t count) {
  static const uint8_t edges[] = {0x80, 0x7F, 0x00, 0xFF, 0x01, 0x81, 0x7E, 0xFE};
  int32_t i;
  for (i = 0; i < count; ++i) p[i] = rnd() % 4 == 0 ? edges[rnd() % 8] : (uint8_t)rnd();
}

static void clear_outputs(void) {
  memset(y_test, 0x5A, sizeof y_test);
  memset(y_ref, 0x5A, sizeof y_ref);
}

static uint32_t instret(void) {
  uint32_t v;
  __asm__ volatile(".option push\n\t.option arch, +zicsr\n\tcsrr %0, minstret\n\t.option pop" : "=r"(v));
  return v;
}
/* Instructions per element of the generic and the CORE-V kernel, printed with two decimals. */
static void report(const char *what, uint32_t generic, uint32_t xpulp, int32_t elements) {
  const uint32_t g = generic * 100u / (uint32_t)elements, x = xpulp * 100u / (uint32_t)elements;
  printf("%-40s generic %3lu.%02lu  xpulp %3lu.%02lu instructions per element\n", what, (unsigned long)(g / 100),
         (unsigned long)(g % 100), (unsigned long)(x / 100), (unsigned long)(x % 100));
}
/* Runs CALL once, returning its instructions (minus the cost of reading the counter). */
#define MEASURE(result, CALL)              \
  do {                                     \
    uint32_t t0_, t1_;                     \
    t0_ = instret();                       \
    CALL;                                  \
    t1_ = instret();                       \
    result = t1_ - t0_ - instret_cost;     \
  } while (0)
static uint32_t instret_cost;

/* ---- Element-wise Add, Sub, Mul ---- */
static const char *const op_names[3] = {"add", "sub", "mul"};

static void check_binary(void) {
  int32_t iter;
  for (iter = 0; iter < 3000; ++iter) {
    int32_t ndim = rnd_in(1, 3), shape[3], a_strides[3], b_strides[3], count = 1, d, a_size = 1, b_size = 1;
    const int op = (int)(rnd() % 3), is_unsigned = (int)(rnd() & 1);
    const int32_t a_off = rnd_in(0, 3), b_off = rnd_in(0, 3);
    for (d = ndim - 1; d >= 0; --d) {
      const int a_broadcast = rnd() % 4 == 0, b_broadcast = rnd() % 3 == 0;
      shape[d] = d == ndim - 1 ? rnd_len() : rnd_in(1, 4);
      a_strides[d] = a_broadcast ? 0 : a_size;
      b_strides[d] = b_broadcast ? 0 : b_size;
      if (!a_broadcast) a_size *= shape[d];
      if (!b_broadcast) b_size *= shape[d];
      count *= shape[d];
    }
    fill_bytes(in_a, a_size + a_off);
    fill_bytes(in_b, b_size + b_off);
    clear_outputs();
    case_name = op_names[op];
    snprintf(case_shape, sizeof case_shape, "%s ndim %ld inner %ld strides a %ld b %ld offsets %ld %ld",
             is_unsigned ? "u8" : "s8", (long)ndim, (long)shape[ndim - 1], (long)a_strides[ndim - 1],
             (long)b_strides[ndim - 1], (long)a_off, (long)b_off);
    if (is_unsigned) {
      xm_test.binary_u8[op](in_a + a_off, in_b + b_off, y_test, ndim, shape, a_strides, b_strides);
      xm_ref.binary_u8[op](in_a + a_off, in_b + b_off, y_ref, ndim, shape, a_strides, b_strides);
    } else {
      xm_test.binary_s8[op]((const int8_t *)in_a + a_off, (const int8_t *)in_b + b_off, y_test, ndim, shape,
                            a_strides, b_strides);
      xm_ref.binary_s8[op]((const int8_t *)in_a + a_off, (const int8_t *)in_b + b_off, y_ref, ndim, shape,
                           a_strides, b_strides);
    }
    compare("", y_test, y_ref, count * 4 + GUARD);
  }
}

static void perf_binary(void) {
  static const int32_t n = 256, one = 1, zero = 0;
  static const char *const names[6] = {"Add int8 rows of 256", "Sub int8 rows of 256", "Mul int8 rows of 256",
                                        "Add int8 row + broadcast", "Sub int8 row - broadcast",
                                        "Mul int8 row * broadcast"};
  int32_t op;
  fill_bytes(in_a, n);
  fill_bytes(in_b, n);
  for (op = 0; op < 6; ++op) {
    const int32_t *bs = op < 3 ? &one : &zero;
    uint32_t g, x;
    MEASURE(x, xm_test.binary_s8[op % 3]((const int8_t *)in_a, (const int8_t *)in_b, y_test, 1, &n, &one, bs));
    MEASURE(g, xm_ref.binary_s8[op % 3]((const int8_t *)in_a, (const int8_t *)in_b, y_ref, 1, &n, &one, bs));
    report(names[op], g, x, n);
  }
  {
    static const int32_t shape2[2] = {2, 33}, as2[2] = {33, 1}, bs2[2] = {0, 1}, shape64 = 64;
    uint32_t g, x;
    MEASURE(x, xm_test.binary_s8[0]((const int8_t *)in_a, (const int8_t *)in_b, y_test, 2, shape2, as2, bs2));
    MEASURE(g, xm_ref.binary_s8[0]((const int8_t *)in_a, (const int8_t *)in_b, y_ref, 2, shape2, as2, bs2));
    report("Add int8 2 rows of 33 + row (generic: < 40)", g, x, 66);
    MEASURE(x, xm_test.binary_s8[0]((const int8_t *)in_a, (const int8_t *)in_b, y_test, 1, &shape64, &one, &one));
    MEASURE(g, xm_ref.binary_s8[0]((const int8_t *)in_a, (const int8_t *)in_b, y_ref, 1, &shape64, &one, &one));
    report("Add int8 row of 64", g, x, 64);
  }
}

/* ---- RequantShift and requantized iHardswish ---- */
static int32_t x32[POOL], mul_buf[64], bias_buf[64];
static int64_t bias64[64];

/* A value in [lo, hi] (lo <= 0 <= hi or both of one sign), the ends and 0 more often. */
static int32_t rnd_value(int32_t lo, int32_t hi) {
  switch (rnd() % 8) {
    case 0: return lo;
    case 1: return hi;
    case 2: return lo <= 0 && hi >= 0 ? 0 : lo;
    default: return (int32_t)((int64_t)lo + (int64_t)(rnd() % ((uint32_t)((int64_t)hi - lo) + 1u)));
  }
}
/* Per channel mul and bias with |x| * |mul| + |bias| < 2^31 for |x| <= magnitude. */
static void rnd_rq_params(int32_t channels, uint32_t magnitude) {
  int32_t c;
  const int32_t bias_max = rnd() % 4 == 0 ? 0 : (int32_t)((1u << rnd_in(0, 30)) - 1u);
  const uint32_t room = 0x7FFFFFFFu - (uint32_t)bias_max;
  const int32_t mul_max = (int32_t)(room / (magnitude ? magnitude : 1u) > 0x7FFFFFFFu ? 0x7FFFFFFFu : room / (magnitude ? magnitude : 1u));
  const int32_t mul_lim = rnd() % 3 == 0 ? mul_max : (mul_max > 1000 ? rnd_in(1, 1000) : mul_max);
  for (c = 0; c < channels; ++c) {
    mul_buf[c] = rnd_value(-mul_lim, mul_lim);
    bias_buf[c] = rnd_value(-bias_max, bias_max);
  }
}
/* An output range of a byte type, lo <= hi. */
static void rnd_range(int is_unsigned, int32_t *lo, int32_t *hi) {
  static const int32_t s_ranges[][2] = {{-128, 127}, {-128, 127}, {-8, 7}, {-100, 50}, {-1, 0}, {5, 5}, {-128, -128}};
  static const int32_t u_ranges[][2] = {{0, 255}, {0, 255}, {0, 15}, {3, 200}, {0, 0}, {255, 255}, {0, 127}};
  const int32_t k = (int32_t)(rnd() % 7);
  *lo = is_unsigned ? u_ranges[k][0] : s_ranges[k][0];
  *hi = is_unsigned ? u_ranges[k][1] : s_ranges[k][1];
}

static void check_requant(void) {
  static const char *const names[] = {"rq s32>s8", "rq s32>u8", "rq s16>s8", "rq u16>u8", "rq s8>s8",  "rq s8>u8",
                                      "rq u8>s8",  "rq u8>u8",  "rq s32>s8 a64", "rq s32>s16", "hswish s8>s8",
                                      "hswish u8>s8", "hswish s8>u8"};
  int32_t iter;
  for (iter = 0; iter < 4000; ++iter) {
    const int kind = (int)(rnd() % 13);
    const int32_t outer = rnd_in(1, 3), channels = rnd_in(1, 5), inner = rnd_len(), count = outer * channels * inner;
    const int32_t shift = rnd_in(0, 31), off = rnd_in(0, 3);
    int32_t xlo, xhi, lo, hi, i, k0 = 0, k1 = 0, k2 = 0;
    uint32_t magnitude;
    switch (kind) {
      case 0: case 1: case 8: case 9: xhi = (int32_t)((1u << rnd_in(0, 30)) - 1u), xlo = -xhi - 1; break;
      case 2: xlo = -32768, xhi = 32767; break;
      case 3: xlo = 0, xhi = 65535; break;
      case 4: case 5: case 10: case 12: xlo = -128, xhi = 127; break;
      default: xlo = 0, xhi = 255; break;
    }
    magnitude = (uint32_t)(xlo < 0 ? -(int64_t)xlo : xhi);
    if (kind >= 10) { /* iHardswish: magnitude of clamp(x + k1, 0, k2) * k0 * x */
      k0 = rnd_in(-60, 60), k1 = rnd_in(-300, 300), k2 = rnd() % 8 == 0 ? rnd_in(-50, -1) : rnd_in(0, 2000);
      magnitude *= (uint32_t)(k2 < 0 ? -k2 : k2) * (uint32_t)(k0 < 0 ? -k0 : k0);
    }
    rnd_rq_params(channels, magnitude);
    rnd_range(kind == 1 || kind == 3 || kind == 5 || kind == 7 || kind == 12, &lo, &hi);
    if (kind == 9) lo = rnd_in(-40000, 0), hi = rnd_in(0, 40000);
    for (i = 0; i < count; ++i) x32[i] = rnd_value(xlo, xhi);
    clear_outputs();
    case_name = names[kind];
    snprintf(case_shape, sizeof case_shape, "outer %ld channels %ld inner %ld shift %ld range %ld..%ld off %ld",
             (long)outer, (long)channels, (long)inner, (long)shift, (long)lo, (long)hi, (long)off);
#define XM_RUN_RQ(member, TX, TY)                                                                                 \
  do {                                                                                                            \
    TX *xs = (TX *)(void *)((uint8_t *)in_a + (sizeof(TX) == 1 ? off : 0));                                        \
    for (i = 0; i < count; ++i) xs[i] = (TX)x32[i];                                                               \
    xm_test.member(xs, (TY *)(void *)((uint8_t *)y_test + off), outer, channels, inner, mul_buf, bias_buf, shift, lo, hi); \
    xm_ref.member(xs, (TY *)(void *)((uint8_t *)y_ref + off), outer, channels, inner, mul_buf, bias_buf, shift, lo, hi);   \
  } while (0)
#define XM_RUN_HS(member, TX, TY)                                                                                 \
  do {                                                                                                            \
    TX *xs = (TX *)(void *)((uint8_t *)in_a + off);                                                               \
    for (i = 0; i < count; ++i) xs[i] = (TX)x32[i];                                                               \
    xm_test.member(xs, (TY *)(void *)((uint8_t *)y_test + off), k0, k1, k2, outer, channels, inner, mul_buf, bias_buf, \
                   shift, lo, hi);                                                                                \
    xm_ref.member(xs, (TY *)(void *)((uint8_t *)y_ref + off), k0, k1, k2, outer, channels, inner, mul_buf, bias_buf,   \
                  shift, lo, hi);                                                                                 \
  } while (0)
    switch (kind) {
      case 0: XM_RUN_RQ(rq_s32_s8, int32_t, int8_t); break;
      case 1: XM_RUN_RQ(rq_s32_u8, int32_t, uint8_t); break;
      case 2: XM_RUN_RQ(rq_s16_s8, int16_t, int8_t); break;
      case 3: XM_RUN_RQ(rq_u16_u8, uint16_t, uint8_t); break;
      case 4: XM_RUN_RQ(rq_s8_s8, int8_t, int8_t); break;
      case 5: XM_RUN_RQ(rq_s8_u8, int8_t, uint8_t); break;
      case 6: XM_RUN_RQ(rq_u8_s8, uint8_t, int8_t); break;
      case 7: XM_RUN_RQ(rq_u8_u8, uint8_t, uint8_t); break;
      case 8: {
        /* Any int32 input and multiplier, biases up to 2^62: the 64-bit path. */
        for (i = 0; i < channels; ++i) {
          mul_buf[i] = rnd() % 4 ? (int32_t)rnd() : rnd_value(INT32_MIN, INT32_MAX);
          bias64[i] = (int64_t)(((uint64_t)rnd() << 32 | rnd()) >> rnd_in(2, 63)) * (rnd() & 1 ? 1 : -1);
        }
        if (rnd() % 2) lo = rnd_in(-128, 0), hi = rnd_in(0, 127);
        for (i = 0; i < count; ++i) ((int32_t *)(void *)in_b)[i] = rnd() % 2 ? x32[i] : rnd_value(INT32_MIN, INT32_MAX);
        xm_test.rq_s32_s8_a64((const int32_t *)(const void *)in_b, (int8_t *)(void *)((uint8_t *)y_test + off), outer,
                              channels, inner, mul_buf, bias64, shift, lo, hi);
        xm_ref.rq_s32_s8_a64((const int32_t *)(const void *)in_b, (int8_t *)(void *)((uint8_t *)y_ref + off), outer,
                             channels, inner, mul_buf, bias64, shift, lo, hi);
        break;
      }
      case 9: {
        int32_t *xs = (int32_t *)(void *)in_a;
        for (i = 0; i < count; ++i) xs[i] = x32[i];
        xm_test.rq_s32_s16(xs, (int16_t *)(void *)y_test, outer, channels, inner, mul_buf, bias_buf, shift, lo, hi);
        xm_ref.rq_s32_s16(xs, (int16_t *)(void *)y_ref, outer, channels, inner, mul_buf, bias_buf, shift, lo, hi);
        break;
      }
      case 10: XM_RUN_HS(hs_s8_s8, int8_t, int8_t); break;
      case 11: XM_RUN_HS(hs_u8_s8, uint8_t, int8_t); break;
      default: XM_RUN_HS(hs_s8_u8, int8_t, uint8_t); break;
    }
    compare("", y_test, y_ref, count * 2 + 4 + GUARD);
  }
}

static void perf_requant(void) {
  const int32_t n = 256, mul1 = 1234, bias1 = 1 << 15;
  int32_t i;
  uint32_t g, x;
  for (i = 0; i < n; ++i) x32[i] = rnd_value(-(1 << 18), 1 << 18);
  MEASURE(x, xm_test.rq_s32_s8(x32, (int8_t *)y_test, 1, 1, n, &mul1, &bias1, 16, -128, 127));
  MEASURE(g, xm_ref.rq_s32_s8(x32, (int8_t *)y_ref, 1, 1, n, &mul1, &bias1, 16, -128, 127));
  report("RequantShift int32 > int8, 256", g, x, n);
  fill_bytes(in_a, n);
  MEASURE(x, xm_test.rq_s8_s8((const int8_t *)in_a, (int8_t *)y_test, 1, 1, n, &mul1, &bias1, 16, -128, 127));
  MEASURE(g, xm_ref.rq_s8_s8((const int8_t *)in_a, (int8_t *)y_ref, 1, 1, n, &mul1, &bias1, 16, -128, 127));
  report("RequantShift int8 > int8, 256", g, x, n);
  MEASURE(x, xm_test.rq_u8_s8(in_a, (int8_t *)y_test, 1, 1, n, &mul1, &bias1, 16, -100, 50));
  MEASURE(g, xm_ref.rq_u8_s8(in_a, (int8_t *)y_ref, 1, 1, n, &mul1, &bias1, 16, -100, 50));
  report("RequantShift uint8 > int8 [-100, 50], 256", g, x, n);
  for (i = 0; i < 64; ++i) mul_buf[i] = rnd_in(1, 2000), bias_buf[i] = rnd_in(0, 1 << 16);
  MEASURE(x, xm_test.rq_s32_s8(x32, (int8_t *)y_test, 1, 64, 4, mul_buf, bias_buf, 16, -128, 127));
  MEASURE(g, xm_ref.rq_s32_s8(x32, (int8_t *)y_ref, 1, 64, 4, mul_buf, bias_buf, 16, -128, 127));
  report("RequantShift int32 > int8, 64 channels x 4", g, x, n);
  MEASURE(x, xm_test.rq_s32_s8(x32, (int8_t *)y_test, 1, 256, 1, mul_buf, bias_buf, 16, -128, 127));
  MEASURE(g, xm_ref.rq_s32_s8(x32, (int8_t *)y_ref, 1, 256, 1, mul_buf, bias_buf, 16, -128, 127));
  report("RequantShift int32 > int8, 256 channels x 1", g, x, n);
  MEASURE(x, xm_test.hs_s8_s8((const int8_t *)in_a, (int8_t *)y_test, 42, 122, 245, 1, 1, n, &mul1, &bias1, 16, -128, 127));
  MEASURE(g, xm_ref.hs_s8_s8((const int8_t *)in_a, (int8_t *)y_ref, 42, 122, 245, 1, 1, n, &mul1, &bias1, 16, -128, 127));
  report("RQ iHardswish int8 > int8, 256", g, x, n);
  MEASURE(x, xm_test.rq_s32_s8(x32, (int8_t *)y_test, 1, 1, 8, &mul1, &bias1, 16, -128, 127));
  MEASURE(g, xm_ref.rq_s32_s8(x32, (int8_t *)y_ref, 1, 1, 8, &mul1, &bias1, 16, -128, 127));
  report("RequantShift int32 > int8, 8", g, x, 8);
  MEASURE(x, xm_test.hs_s8_s8((const int8_t *)in_a, (int8_t *)y_test, 42, 122, 245, 1, 1, 8, &mul1, &bias1, 16, -128, 127));
  MEASURE(g, xm_ref.hs_s8_s8((const int8_t *)in_a, (int8_t *)y_ref, 42, 122, 245, 1, 1, 8, &mul1, &bias1, 16, -128, 127));
  report("RQ iHardswish int8 > int8, 8", g, x, 8);
  {
    static const int64_t bias64v = 1 << 15;
    MEASURE(x, xm_test.rq_s32_s8_a64(x32, (int8_t *)y_test, 1, 1, 66, &mul1, &bias64v, 16, -128, 127));
    MEASURE(g, xm_ref.rq_s32_s8_a64(x32, (int8_t *)y_ref, 1, 1, 66, &mul1, &bias64v, 16, -128, 127));
    report("RequantShift int32 > int8 in 64 bits (generic both), 66", g, x, 66);
  }
}

/* ---- iRMSNorm ---- */
static int32_t w32[POOL];

static void check_rmsnorm(void) {
  static const char *const names[] = {"rmsnorm s8 w8", "rmsnorm s8 w16", "rmsnorm s8 w32", "rmsnorm u8 w8",
                                      "rmsnorm u8 w32", "rmsnorm s8 w32 s64"};
  int32_t iter;
  for (iter = 0; iter < 3000; ++iter) {
    const int kind = (int)(rnd() % 6);
    const int32_t rows = rnd_in(1, 4), length = rnd_len(), first = rnd() % 2 ? 0 : rnd_in(0, length);
    const int32_t count = first == 0 && rnd() % 2 ? length : rnd_in(0, length - first);
    const int32_t shift = rnd() % 2 ? 16 : rnd_in(0, 31), off = rnd_in(0, 3), woff = rnd_in(0, 3);
    const int32_t wmax = kind == 0 || kind == 3 ? 127 : kind == 1 ? 32767 : (int32_t)(0x7FFFFFFF / 256) >> rnd_in(0, 20);
    int32_t lo, hi, i;
    rnd_range(0, &lo, &hi);
    fill_bytes(in_a, rows * length + off);
    for (i = 0; i < count; ++i) w32[i] = rnd_value(-wmax - 1, wmax);
    clear_outputs();
    case_name = names[kind];
    snprintf(case_shape, sizeof case_shape, "rows %ld length %ld first %ld count %ld shift %ld range %ld..%ld off %ld",
             (long)rows, (long)length, (long)first, (long)count, (long)shift, (long)lo, (long)hi, (long)off);
#define XM_RUN_RMS(member, TX, TW)                                                                        \
  do {                                                                                                    \
    TW *ws = (TW *)(void *)((uint8_t *)in_b + (sizeof(TW) == 1 ? woff : 0));                               \
    for (i = 0; i < count; ++i) ws[i] = (TW)w32[i];                                                       \
    xm_test.member((const TX *)(const void *)(in_a + off), ws, (int8_t *)(void *)((uint8_t *)y_test + off), rows, \
                   length, first, count, shift, lo, hi);                                                  \
    xm_ref.member((const TX *)(const void *)(in_a + off), ws, (int8_t *)(void *)((uint8_t *)y_ref + off), rows,   \
                  length, first, count, shift, lo, hi);                                                   \
  } while (0)
    switch (kind) {
      case 0: XM_RUN_RMS(rms_s8_w8, int8_t, int8_t); break;
      case 1: XM_RUN_RMS(rms_s8_w16, int8_t, int16_t); break;
      case 2: XM_RUN_RMS(rms_s8_w32, int8_t, int32_t); break;
      case 3: XM_RUN_RMS(rms_u8_w8, uint8_t, int8_t); break;
      case 4: XM_RUN_RMS(rms_u8_w32, uint8_t, int32_t); break;
      default: XM_RUN_RMS(rms_s8_w32_s64, int8_t, int32_t); break;
    }
    compare("", y_test, y_ref, rows * count + 4 + GUARD);
  }
}

/* ---- iSoftmax ---- */
static uint32_t table32[256];
static uint16_t table16[256];

static void check_softmax(void) {
  static const char *const names[] = {"isoftmax s8 u8 t16", "isoftmax s8 u8 t32", "isoftmax u8 u8 t16",
                                      "isoftmax u8 s8 t32", "isoftmax s8 u8 t16 a64"};
  int32_t iter;
  for (iter = 0; iter < 3000; ++iter) {
    const int kind = (int)(rnd() % 5);
    const int32_t rows = rnd_in(1, 4), length = rnd_len(), off = rnd_in(0, 3), zeros = rnd() % 16 == 0;
    const uint32_t top = rnd() % 2 ? 255u : (uint32_t)rnd_in(1, 300);
    const uint32_t entry_max = kind == 1 || kind == 3 ? (rnd() % 2 ? 0xFFFFFFFFu : 1u << rnd_in(0, 24)) : 0xFFFFu;
    int32_t i;
    for (i = 0; i < 256; ++i) {
      table32[i] = zeros ? 0u : rnd() % 8 == 0 ? entry_max : rnd() % (entry_max == 0xFFFFFFFFu ? entry_max : entry_max + 1u);
      table16[i] = (uint16_t)table32[i];
    }
    fill_bytes(in_a, rows * length + off);
    if (rnd() % 4 == 0) memset(in_a + off, (int)(rnd() & 0xFF), (size_t)(rows * length)); /* flat rows */
    clear_outputs();
    case_name = names[kind];
    snprintf(case_shape, sizeof case_shape, "rows %ld length %ld top %lu off %ld", (long)rows, (long)length,
             (unsigned long)top, (long)off);
#define XM_RUN_SM(member, TX, TY, table)                                                                          \
  do {                                                                                                            \
    xm_test.member((const TX *)(const void *)(in_a + off), (TY *)(void *)((uint8_t *)y_test + off), rows, length, \
                   table, top);                                                                                   \
    xm_ref.member((const TX *)(const void *)(in_a + off), (TY *)(void *)((uint8_t *)y_ref + off), rows, length,   \
                  table, top);                                                                                    \
  } while (0)
    switch (kind) {
      case 0: XM_RUN_SM(sm_s8_u8_t16, int8_t, uint8_t, table16); break;
      case 1: XM_RUN_SM(sm_s8_u8_t32, int8_t, uint8_t, table32); break;
      case 2: XM_RUN_SM(sm_u8_u8_t16, uint8_t, uint8_t, table16); break;
      case 3: XM_RUN_SM(sm_u8_s8_t32, uint8_t, int8_t, table32); break;
      default: XM_RUN_SM(sm_s8_u8_t16_a64, int8_t, uint8_t, table16); break;
    }
    compare("", y_test, y_ref, rows * length + 4 + GUARD);
  }
}

static void perf_norm_softmax(void) {
  int32_t i, n;
  uint32_t g, x;
  fill_bytes(in_a, 256);
  for (i = 0; i < 256; ++i) w32[i] = rnd_value(-4000000, 4000000), table16[i] = (uint16_t)(65535 >> (i / 16));
  for (n = 64; n <= 256; n *= 4) {
    MEASURE(x, xm_test.rms_s8_w32((const int8_t *)in_a, w32, (int8_t *)y_test, 1, n, 0, n, 16, -128, 127));
    MEASURE(g, xm_ref.rms_s8_w32((const int8_t *)in_a, w32, (int8_t *)y_ref, 1, n, 0, n, 16, -128, 127));
    report(n == 64 ? "iRMSNorm int8, int32 weights, row of 64" : "iRMSNorm int8, int32 weights, row of 256", g, x, n);
  }
  MEASURE(x, xm_test.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_test, 16, 33, table16, 255));
  MEASURE(g, xm_ref.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_ref, 16, 33, table16, 255));
  report("iSoftmax int8 > uint8, 16 rows of 33", g, x, 16 * 33);
  MEASURE(x, xm_test.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_test, 1, 256, table16, 255));
  MEASURE(g, xm_ref.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_ref, 1, 256, table16, 255));
  report("iSoftmax int8 > uint8, row of 256", g, x, 256);
  MEASURE(x, xm_test.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_test, 16, 4, table16, 255));
  MEASURE(g, xm_ref.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_ref, 16, 4, table16, 255));
  report("iSoftmax int8 > uint8, 16 rows of 4", g, x, 64);
  MEASURE(x, xm_test.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_test, 16, 2, table16, 255));
  MEASURE(g, xm_ref.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_ref, 16, 2, table16, 255));
  report("iSoftmax int8 > uint8, 16 rows of 2", g, x, 32);
  MEASURE(x, xm_test.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_test, 16, 8, table16, 255));
  MEASURE(g, xm_ref.sm_s8_u8_t16((const int8_t *)in_a, (uint8_t *)y_ref, 16, 8, table16, 255));
  report("iSoftmax int8 > uint8, 16 rows of 8", g, x, 128);
  MEASURE(x, xm_test.rms_s8_w32((const int8_t *)in_a, w32, (int8_t *)y_test, 1, 64, 0, 8, 16, -128, 127));
  MEASURE(g, xm_ref.rms_s8_w32((const int8_t *)in_a, w32, (int8_t *)y_ref, 1, 64, 0, 8, 16, -128, 127));
  report("iRMSNorm row of 64, 8 columns (8-core part)", g, x, 8);
}

/* ---- Direct (depthwise) convolution ---- */
static int8_t w8[POOL];

/* A random depthwise geometry (channel multiplier 1 or 2) with at least one output. */
static void rnd_dw_geometry(int32_t *geom) {
  int32_t out_h, out_w;
  do {
    const int32_t c = rnd_in(1, 4), mult = rnd() % 4 == 0 ? 2 : 1, one_d = rnd() % 6 == 0;
    geom[DP_CONV_BATCH] = rnd_in(1, 2);
    geom[DP_CONV_IN_CHANNELS] = c;
    geom[DP_CONV_OUT_CHANNELS] = c * mult;
    geom[DP_CONV_GROUP] = c;
    geom[DP_CONV_IN_H] = one_d ? 1 : rnd_in(1, 10);
    geom[DP_CONV_IN_W] = rnd_in(1, 40);
    geom[DP_CONV_KERNEL_H] = one_d ? 1 : rnd() % 2 ? 3 : rnd_in(1, 5);
    geom[DP_CONV_KERNEL_W] = rnd() % 2 ? 3 : rnd_in(1, 9);
    geom[DP_CONV_STRIDE_H] = rnd() % 2 ? 1 : rnd_in(1, 3);
    geom[DP_CONV_STRIDE_W] = rnd() % 2 ? 1 : rnd_in(1, 3);
    geom[DP_CONV_DILATION_H] = rnd() % 4 ? 1 : 2;
    geom[DP_CONV_DILATION_W] = rnd() % 4 ? 1 : 2;
    geom[DP_CONV_PAD_TOP] = rnd_in(0, geom[DP_CONV_KERNEL_H]);
    geom[DP_CONV_PAD_LEFT] = rnd_in(0, geom[DP_CONV_KERNEL_W]);
    out_h = (geom[DP_CONV_IN_H] + geom[DP_CONV_PAD_TOP] + rnd_in(0, 2) -
             geom[DP_CONV_DILATION_H] * (geom[DP_CONV_KERNEL_H] - 1) - 1) / geom[DP_CONV_STRIDE_H] + 1;
    out_w = (geom[DP_CONV_IN_W] + geom[DP_CONV_PAD_LEFT] + rnd_in(0, 2) -
             geom[DP_CONV_DILATION_W] * (geom[DP_CONV_KERNEL_W] - 1) - 1) / geom[DP_CONV_STRIDE_W] + 1;
    geom[DP_CONV_OUT_H] = out_h;
    geom[DP_CONV_OUT_W] = out_w;
  } while (geom[DP_CONV_OUT_H] < 1 || geom[DP_CONV_OUT_W] < 1 ||
           geom[DP_CONV_IN_H] + geom[DP_CONV_PAD_TOP] + 2 < geom[DP_CONV_DILATION_H] * (geom[DP_CONV_KERNEL_H] - 1) + 1 ||
           geom[DP_CONV_IN_W] + geom[DP_CONV_PAD_LEFT] + 2 < geom[DP_CONV_DILATION_W] * (geom[DP_CONV_KERNEL_W] - 1) + 1);
}

static void check_conv(void) {
  static const char *const names[] = {"dw s8 s32", "dw u8 s32", "rqdw s8 s8", "rqdw u8 s8", "rqdw s8 u8", "rqdw u8 s16"};
  int32_t iter, geom[DP_CONV_GEOMETRY_SIZE];
  for (iter = 0; iter < 12000; ++iter) {
    const int kind = (int)(rnd() % 6);
    int32_t in_count, out_count, w_count, c, lo, hi, shift = rnd() % 2 ? 16 : rnd_in(0, 31);
    int32_t rq_stride = rnd() % 3 ? 1 : 0, off = rnd_in(0, 3);
    const int32_t *g = geom;
    rnd_dw_geometry(geom);
    in_count = g[DP_CONV_BATCH] * g[DP_CONV_IN_CHANNELS] * g[DP_CONV_IN_H] * g[DP_CONV_IN_W];
    out_count = g[DP_CONV_BATCH] * g[DP_CONV_OUT_CHANNELS] * g[DP_CONV_OUT_H] * g[DP_CONV_OUT_W];
    w_count = g[DP_CONV_OUT_CHANNELS] * g[DP_CONV_KERNEL_H] * g[DP_CONV_KERNEL_W];
    if (out_count * 4 > POOL || in_count + 8 > POOL) continue;
    fill_bytes(in_a, in_count + 8 + off);
    fill_bytes((uint8_t *)w8, w_count);
    {
      /* Bounded requantization parameters mostly, sometimes unbounded (the generic path). */
      const uint32_t acc_max = (uint32_t)(g[DP_CONV_KERNEL_H] * g[DP_CONV_KERNEL_W]) * 255u * 128u;
      const int32_t mul_max = rnd() % 4 == 0 ? 0x7FFFFF : (int32_t)((1u << 30) / acc_max);
      for (c = 0; c < g[DP_CONV_OUT_CHANNELS]; ++c) {
        mul_buf[c] = rnd_value(-mul_max, mul_max);
        bias_buf[c] = rnd() % 4 == 0 ? rnd_value(-0x7FFFFFFF, 0x7FFFFFFF) : rnd_value(-(1 << 29), 1 << 29);
        w32[c] = rnd_value(-100000, 100000);
      }
    }
    rnd_range(kind % 6 == 4, &lo, &hi);
    if (kind % 6 == 5) lo = rnd_in(-40000, 0), hi = rnd_in(0, 40000);
    clear_outputs();
    case_name = names[kind];
    snprintf(case_shape, sizeof case_shape,
             "n%ld c%ld>%ld %ldx%ld k%ldx%ld s%ld,%ld d%ld,%ld p%ld,%ld out %ldx%ld shift %ld rq_stride %ld off %ld",
             (long)g[0], (long)g[1], (long)g[4], (long)g[2], (long)g[3], (long)g[7], (long)g[8], (long)g[9],
             (long)g[10], (long)g[11], (long)g[12], (long)g[13], (long)g[14], (long)g[5], (long)g[6], (long)shift,
             (long)rq_stride, (long)off);
    switch (kind) {
      case 0:
      {
        const int32_t *bias = rnd() % 2 ? w32 : NULL;
        xm_test.dw_s8((const int8_t *)in_a + off, w8, bias, y_test, geom);
        xm_ref.dw_s8((const int8_t *)in_a + off, w8, bias, y_ref, geom);
        break;
      }
      case 1:
        xm_test.dw_u8(in_a + off, w8, w32, y_test, geom);
        xm_ref.dw_u8(in_a + off, w8, w32, y_ref, geom);
        break;
#define XM_RUN_RQDW(member, TX, TY)                                                                             \
  xm_test.member((const TX *)(const void *)(in_a + off), w8, (TY *)(void *)((uint8_t *)y_test + (sizeof(TY) == 1 ? off : 0)), \
                 geom, mul_buf, bias_buf, rq_stride, shift, lo, hi);                                           \
  xm_ref.member((const TX *)(const void *)(in_a + off), w8, (TY *)(void *)((uint8_t *)y_ref + (sizeof(TY) == 1 ? off : 0)),   \
                geom, mul_buf, bias_buf, rq_stride, shift, lo, hi);
      case 2: XM_RUN_RQDW(rqdw_s8_s8, int8_t, int8_t) break;
      case 3: XM_RUN_RQDW(rqdw_u8_s8, uint8_t, int8_t) break;
      case 4: XM_RUN_RQDW(rqdw_s8_u8, int8_t, uint8_t) break;
      default: XM_RUN_RQDW(rqdw_u8_s16, uint8_t, int16_t) break;
    }
    compare("", y_test, y_ref, out_count * 4 + GUARD);
  }
}

static void perf_conv(void) {
  /* Depthwise 3x3, padding 1, strides 1 and 2, requantized int8 and int32 outputs; miniMobileNet's layers. */
  static int32_t shapes[][DP_CONV_GEOMETRY_SIZE] = {
      {1, 16, 16, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 16},
      {1, 16, 32, 32, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 16},
      {1, 16, 16, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 16},
      {1, 32, 4, 4, 32, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 32},
      {1, 64, 4, 4, 64, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, 64},
      {1, 16, 8, 8, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 16},
      {1, 16, 8, 8, 16, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 16},
      {1, 16, 6, 6, 16, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 16},
  };
  static const char *const names[] = {"16ch 16x16 s1", "16ch 32x32 s1", "16ch 16x16 s2", "32ch 4x4 s1", "64ch 4x4 s2",
                                      "16ch 8x8 s1", "16ch 8x8 s2", "16ch 6x6 s1"};
  char what[80];
  int32_t c, i;
  uint32_t g, x;
  fill_bytes(in_a, 16 * 32 * 32);
  fill_bytes((uint8_t *)w8, 64 * 9);
  for (c = 0; c < 64; ++c) mul_buf[c] = rnd_in(1, 300), bias_buf[c] = rnd_in(-1000, 1000) + (1 << 15);
  for (i = 0; i < 8; ++i) {
    const int32_t *geom = shapes[i], outputs = geom[4] * geom[5] * geom[6];
    MEASURE(x, xm_test.rqdw_s8_s8((const int8_t *)in_a, w8, (int8_t *)y_test, geom, mul_buf, bias_buf, 1, 16, -128, 127));
    MEASURE(g, xm_ref.rqdw_s8_s8((const int8_t *)in_a, w8, (int8_t *)y_ref, geom, mul_buf, bias_buf, 1, 16, -128, 127));
    snprintf(what, sizeof what, "RQ dw 3x3 %s (per output)", names[i]);
    report(what, g, x, outputs);
  }
  MEASURE(x, xm_test.dw_s8((const int8_t *)in_a, w8, NULL, y_test, shapes[0]));
  MEASURE(g, xm_ref.dw_s8((const int8_t *)in_a, w8, NULL, y_ref, shapes[0]));
  report("dw 3x3 16ch 16x16 s1 int32 out", g, x, 16 * 256);
}

/* ---- Reductions and max pooling ---- */
static void check_reduce(void) {
  static const char *const names[] = {"reduce sum s8", "reduce sum u8", "reduce max s8", "reduce max u8"};
  int32_t iter;
  for (iter = 0; iter < 3000; ++iter) {
    const int kind = (int)(rnd() % 4), last_kept = (int)(rnd() & 1);
    int32_t ndim = rnd_in(1, 4), shape[4], strides[4], count = 1, kept = 1, d, off = rnd_in(0, 3);
    /* Alternating kinds from the last dimension backwards; kept strides row-major over kept dims. */
    for (d = ndim - 1; d >= 0; --d) {
      const int is_kept = ((ndim - 1 - d) % 2 == 0) == last_kept;
      shape[d] = d == ndim - 1 ? rnd_len() : rnd() % 2 ? rnd_in(1, 4) : rnd_in(1, 40);
      strides[d] = is_kept ? kept : 0;
      if (is_kept) kept *= shape[d];
      count *= shape[d];
    }
    if (count + 8 > POOL || kept * 4 + GUARD > (int32_t)sizeof y_test) continue;
    fill_bytes(in_a, count + off);
    clear_outputs();
    case_name = names[kind];
    snprintf(case_shape, sizeof case_shape, "ndim %ld shape %ld,%ld,%ld,%ld last %s off %ld", (long)ndim, (long)shape[0],
             (long)(ndim > 1 ? shape[1] : 0), (long)(ndim > 2 ? shape[2] : 0), (long)(ndim > 3 ? shape[3] : 0),
             last_kept ? "kept" : "reduced", (long)off);
    switch (kind) {
      case 0:
        xm_test.rsum_s8((const int8_t *)in_a + off, y_test, 0, kept, ndim, shape, strides);
        xm_ref.rsum_s8((const int8_t *)in_a + off, y_ref, 0, kept, ndim, shape, strides);
        break;
      case 1:
        xm_test.rsum_u8(in_a + off, y_test, 0, kept, ndim, shape, strides);
        xm_ref.rsum_u8(in_a + off, y_ref, 0, kept, ndim, shape, strides);
        break;
      case 2:
        xm_test.rmax_s8((const int8_t *)in_a + off, (int8_t *)y_test + off, -128, kept, ndim, shape, strides);
        xm_ref.rmax_s8((const int8_t *)in_a + off, (int8_t *)y_ref + off, -128, kept, ndim, shape, strides);
        break;
      default:
        xm_test.rmax_u8(in_a + off, (uint8_t *)y_test + off, 0, kept, ndim, shape, strides);
        xm_ref.rmax_u8(in_a + off, (uint8_t *)y_ref + off, 0, kept, ndim, shape, strides);
        break;
    }
    compare("", y_test, y_ref, kept * 4 + GUARD);
  }
}

static void check_maxpool(void) {
  int32_t iter, geom[21];
  for (iter = 0; iter < 3000; ++iter) {
    const int is_unsigned = (int)(rnd() & 1), three_d = rnd() % 8 == 0, one_d = rnd() % 4 == 0;
    int32_t planes = rnd_in(1, 3), d, plane, out_count, off = rnd_in(0, 3);
    for (d = 0; d < 3; ++d) {
      const int32_t trivial = (d == 0 && !three_d) || (d == 1 && one_d);
      int32_t in = trivial ? 1 : d == 2 ? rnd_in(1, 40) : rnd_in(1, 10);
      int32_t k = trivial ? 1 : rnd() % 2 ? rnd_in(1, 4) : rnd_in(1, 9);
      int32_t s = rnd() % 2 ? 1 : rnd_in(1, 3), dil = rnd() % 4 ? 1 : 2;
      int32_t pb = trivial ? 0 : rnd_in(0, k - 1), pe = trivial ? 0 : rnd_in(0, k - 1), out;
      if (in + pb + pe < dil * (k - 1) + 1) k = 1, dil = 1;
      out = (in + pb + pe - dil * (k - 1) - 1) / s + 1;
      geom[d] = in, geom[3 + d] = out, geom[6 + d] = k, geom[9 + d] = s, geom[12 + d] = dil, geom[15 + d] = pb,
      geom[18 + d] = pe;
    }
    plane = geom[0] * geom[1] * geom[2];
    out_count = planes * geom[3] * geom[4] * geom[5];
    if (planes * plane + 8 > POOL || out_count + GUARD > (int32_t)sizeof y_test) continue;
    fill_bytes(in_a, planes * plane + off);
    clear_outputs();
    case_name = is_unsigned ? "maxpool u8" : "maxpool s8";
    snprintf(case_shape, sizeof case_shape, "planes %ld in %ldx%ldx%ld k %ldx%ldx%ld s %ld,%ld,%ld d %ld,%ld,%ld pad %ld,%ld,%ld",
             (long)planes, (long)geom[0], (long)geom[1], (long)geom[2], (long)geom[6], (long)geom[7], (long)geom[8],
             (long)geom[9], (long)geom[10], (long)geom[11], (long)geom[12], (long)geom[13], (long)geom[14],
             (long)geom[15], (long)geom[16], (long)geom[17]);
    if (is_unsigned) {
      xm_test.maxpool_u8(in_a + off, (uint8_t *)y_test + off, planes, geom);
      xm_ref.maxpool_u8(in_a + off, (uint8_t *)y_ref + off, planes, geom);
    } else {
      xm_test.maxpool_s8((const int8_t *)in_a + off, (int8_t *)y_test + off, planes, geom);
      xm_ref.maxpool_s8((const int8_t *)in_a + off, (int8_t *)y_ref + off, planes, geom);
    }
    compare("", y_test, y_ref, out_count + 4 + GUARD);
  }
}

static void perf_reduce(void) {
  static const int32_t shape_kept[2] = {32, 96}, strides_kept[2] = {0, 1}, shape_row[2] = {32, 96},
                       strides_row[2] = {1, 0};
  static const int32_t pool2d[21] = {1, 64, 32, 1, 29, 7, 1, 8, 8, 1, 2, 4, 1, 1, 1, 0, 0, 0, 0, 0, 0};
  static const int32_t pool1d[21] = {1, 1, 64, 1, 1, 31, 1, 1, 3, 1, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0};
  uint32_t g, x;
  fill_bytes(in_a, 64 * 32 * 2);
  MEASURE(x, xm_test.rsum_s8((const int8_t *)in_a, y_test, 0, 96, 2, shape_kept, strides_kept));
  MEASURE(g, xm_ref.rsum_s8((const int8_t *)in_a, y_ref, 0, 96, 2, shape_kept, strides_kept));
  report("ReduceSum int8 32x96 over rows (per input)", g, x, 32 * 96);
  MEASURE(x, xm_test.rsum_s8((const int8_t *)in_a, y_test, 0, 32, 2, shape_row, strides_row));
  MEASURE(g, xm_ref.rsum_s8((const int8_t *)in_a, y_ref, 0, 32, 2, shape_row, strides_row));
  report("ReduceSum int8 32x96 along rows (per input)", g, x, 32 * 96);
  MEASURE(x, xm_test.rmax_s8((const int8_t *)in_a, (int8_t *)y_test, -128, 96, 2, shape_kept, strides_kept));
  MEASURE(g, xm_ref.rmax_s8((const int8_t *)in_a, (int8_t *)y_ref, -128, 96, 2, shape_kept, strides_kept));
  report("ReduceMax int8 32x96 over rows (per input)", g, x, 32 * 96);
  MEASURE(x, xm_test.rmax_s8((const int8_t *)in_a, (int8_t *)y_test, -128, 32, 2, shape_row, strides_row));
  MEASURE(g, xm_ref.rmax_s8((const int8_t *)in_a, (int8_t *)y_ref, -128, 32, 2, shape_row, strides_row));
  report("ReduceMax int8 32x96 along rows (per input)", g, x, 32 * 96);
  {
    static const int32_t shape_small[2] = {4, 6}, shape_12[2] = {4, 12};
    MEASURE(x, xm_test.rsum_s8((const int8_t *)in_a, y_test, 0, 4, 2, shape_12, strides_row));
    MEASURE(g, xm_ref.rsum_s8((const int8_t *)in_a, y_ref, 0, 4, 2, shape_12, strides_row));
    report("ReduceSum int8 4x12 along rows (per input)", g, x, 48);
    MEASURE(x, xm_test.rsum_s8((const int8_t *)in_a, y_test, 0, 4, 2, shape_small, strides_row));
    MEASURE(g, xm_ref.rsum_s8((const int8_t *)in_a, y_ref, 0, 4, 2, shape_small, strides_row));
    report("ReduceSum int8 4x6 along rows (per input)", g, x, 24);
    MEASURE(x, xm_test.rsum_s8((const int8_t *)in_a, y_test, 0, 6, 2, shape_small, strides_kept));
    MEASURE(g, xm_ref.rsum_s8((const int8_t *)in_a, y_ref, 0, 6, 2, shape_small, strides_kept));
    report("ReduceSum int8 4x6 over rows (per input)", g, x, 24);
  }
  MEASURE(x, xm_test.maxpool_s8((const int8_t *)in_a, (int8_t *)y_test, 2, pool2d));
  MEASURE(g, xm_ref.maxpool_s8((const int8_t *)in_a, (int8_t *)y_ref, 2, pool2d));
  report("MaxPool int8 8x8 s2,4 of 64x32 (per output)", g, x, 2 * 29 * 7);
  MEASURE(x, xm_test.maxpool_s8((const int8_t *)in_a, (int8_t *)y_test, 32, pool1d));
  MEASURE(g, xm_ref.maxpool_s8((const int8_t *)in_a, (int8_t *)y_ref, 32, pool1d));
  report("MaxPool int8 1-D k3 s2 of 64 (per output)", g, x, 32 * 31);
}

/* ---- Copies ---- */
static void check_copy(void) {
  int32_t iter;
  case_name = "dp_copy";
  for (iter = 0; iter < 3000; ++iter) {
    const int32_t bytes = rnd() % 2 ? rnd_in(0, 40) : rnd_in(0, 1000), src_off = rnd_in(0, 7), dst_off = rnd_in(0, 7);
    fill_bytes(in_a, bytes + src_off);
    clear_outputs();
    snprintf(case_shape, sizeof case_shape, "bytes %ld src offset %ld dst offset %ld", (long)bytes, (long)src_off,
             (long)dst_off);
    dp_copy((uint8_t *)y_test + dst_off, in_a + src_off, (size_t)bytes);
    ref_dp_copy((uint8_t *)y_ref + dst_off, in_a + src_off, (size_t)bytes);
    compare("", y_test, y_ref, bytes + 8 + GUARD);
  }
}

/* Byte transposes through dp_strided_copy: the last two dimensions swapped, outer dimensions kept. */
static void check_transpose(void) {
  int32_t iter;
  case_name = "transpose";
  for (iter = 0; iter < 2000; ++iter) {
    const int32_t ndim = rnd_in(2, 4), m = rnd_len() % 41 + 1, n = rnd_len() % 41 + 1, swap = rnd() % 8 != 0;
    int32_t shape[4], ds[4], ss[4], d, count = m * n, off = rnd_in(0, 3);
    shape[ndim - 2] = m, shape[ndim - 1] = n;
    /* dst contiguous (..., m, n); src contiguous (..., n, m) read transposed (or, now and then, a plain copy). */
    ds[ndim - 1] = 1, ds[ndim - 2] = n;
    ss[ndim - 1] = swap ? m : 1, ss[ndim - 2] = swap ? 1 : n;
    for (d = ndim - 3; d >= 0; --d) {
      shape[d] = rnd_in(1, 3);
      ds[d] = count, ss[d] = count;
      count *= shape[d];
    }
    if (count + 8 > POOL) continue;
    fill_bytes(in_a, count + off);
    clear_outputs();
    snprintf(case_shape, sizeof case_shape, "ndim %ld m %ld n %ld swap %ld off %ld", (long)ndim, (long)m, (long)n,
             (long)swap, (long)off);
    dp_strided_copy((uint8_t *)y_test + off, in_a + off, 1, ndim, shape, ds, ss);
    ref_dp_strided_copy((uint8_t *)y_ref + off, in_a + off, 1, ndim, shape, ds, ss);
    compare("", y_test, y_ref, count + 4 + GUARD);
  }
}

static void perf_copy(void) {
  uint32_t g, x;
  MEASURE(x, dp_copy(y_test, in_a, 1024));
  MEASURE(g, ref_dp_copy(y_ref, in_a, 1024));
  report("dp_copy 1024 bytes, aligned (per byte)", g, x, 1024);
  MEASURE(x, dp_copy(y_test, in_a + 1, 1024));
  MEASURE(g, ref_dp_copy(y_ref, in_a + 1, 1024));
  report("dp_copy 1024 bytes, src misaligned (per byte)", g, x, 1024);
  MEASURE(x, dp_copy(y_test, in_a, 64));
  MEASURE(g, ref_dp_copy(y_ref, in_a, 64));
  report("dp_copy 64 bytes, aligned (per byte)", g, x, 64);
  MEASURE(x, dp_copy(y_test, in_a, 4));
  MEASURE(g, ref_dp_copy(y_ref, in_a, 4));
  report("dp_copy 4 bytes, aligned (per byte)", g, x, 4);
  MEASURE(x, dp_copy(y_test, in_a + 1, 5));
  MEASURE(g, ref_dp_copy(y_ref, in_a + 1, 5));
  report("dp_copy 5 bytes, src misaligned (per byte)", g, x, 5);
  {
    /* microLlama's key transpose: 16 heads of 33 x 4 into 4 x 33. */
    static const int32_t shape[3] = {16, 4, 33}, ds[3] = {132, 33, 1}, ss[3] = {132, 1, 4};
    MEASURE(x, dp_strided_copy(y_test, in_a, 1, 3, shape, ds, ss));
    MEASURE(g, ref_dp_strided_copy(y_ref, in_a, 1, 3, shape, ds, ss));
    report("Transpose int8 16 x (33x4 > 4x33) (per byte)", g, x, 16 * 132);
  }
}

int main(void) {
  uint32_t t0 = instret(), t1 = instret();
  instret_cost = t1 - t0;
  check_binary();
  check_requant();
  check_rmsnorm();
  check_softmax();
  check_conv();
  check_reduce();
  check_maxpool();
  check_copy();
  check_transpose();
  perf_binary();
  perf_requant();
  perf_norm_softmax();
  perf_conv();
  perf_reduce();
  perf_copy();
  printf("%d checks, %d failures\n", checks, failures);
  return failures != 0;
}
