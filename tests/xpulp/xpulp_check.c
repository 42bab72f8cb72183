/* Checks the CORE-V (Xpulp) product kernels against the generic ones and counts their instructions.
 *
 * Built for the emulated cluster (clang-19 with the CORE-V extensions, see CMakeLists.txt) the kernels of
 * runtime/kernels (matmul.c, gemm.c, conv.c and test instances below) take the DP_XPULP hooks; the
 * references of xpulp_generic.c are the same kernels built with DP_GENERIC_KERNELS. Random shapes (m, n,
 * k from 1 to 70, skewed towards small ones, every k % 4), batches with their own and broadcast operands,
 * int8 and uint8 A, int32, 16-bit and requantized 8-bit outputs with per-tensor, per-row, per-column and
 * per-batch parameters, bounded and unbounded multipliers and several clamp ranges; Gemm with alpha, beta
 * and a broadcast C; im2col and direct (depthwise) Conv; and the tiles themselves at misaligned addresses.
 * Outputs must be equal byte for byte, and the bytes after them untouched. Then, on RISC-V, minstret
 * (exact under QEMU's -icount shift=0) counts instructions per MAC of the kernels at 64^3, 256^3 and the
 * GEMV 1x256x256, of the products of an INT8 microLlama decode step and of two 3x3 convolutions.
 * Exit status 0 when every check passed. */
#include <stdio.h>

#include "xpulp_check.h"

/* Kernels instantiated here, with the hooks: 8- and 16-bit plain outputs and 16-bit requantized ones take
 * the generic epilogue of the tiles. */
DP_DEFINE_MATMUL_NT(static, test_matmul_nt_s8_s8, int8_t, int8_t, uint32_t, int8_t)
DP_DEFINE_MATMUL_NN(static, test_matmul_nn_u8_s16, uint8_t, int8_t, uint32_t, int16_t)
DP_DEFINE_RQMATMUL_NT(static, test_rqmatmul_nt_s8_s16, int8_t, int8_t, int16_t)

#define MAX_DIM 70
#define MAX_BATCH 3
#define MAX_ELEMS (MAX_BATCH * MAX_DIM * MAX_DIM)
#define PERF_DIM 256
#define GUARD 16
#define POOL (PERF_DIM * PERF_DIM + 64)

static int8_t a_buf[POOL], b_buf[POOL], c_buf[POOL];
static int32_t y_test[PERF_DIM * PERF_DIM + GUARD], y_ref[PERF_DIM * PERF_DIM + GUARD];
static int32_t mul_buf[MAX_ELEMS], add_buf[MAX_ELEMS];
static int8_t col_buf[16 * 9 + MAX_DIM * 9 + 16];

#define XPULP_RANDOM_SEED 0x2545F491u
#include "xpulp_support.h"
/* A dimension: small ones half of the time. */
static int32_t rnd_dim(void) { return rnd() & 1 ? rnd_in(1, 12) : rnd_in(1, MAX_DIM); }
static void fill(int8_t *p, int32_t count) {
  int32_t i;
  for (i = 0; i < count; ++i) p[i] = (int8_t)(rnd() & 0xFF);
}

static void clear_outputs(void) {
  memset(y_test, 0x5A, sizeof y_test);
  memset(y_ref, 0x5A, sizeof y_ref);
}

/* ---- Products ---- */
struct shape {
  int32_t batch, m, n, k;
  int32_t a_offsets[MAX_BATCH], b_offsets[MAX_BATCH];
};
static void rnd_shape(struct shape *s) {
  int32_t bi;
  const int broadcast_a = rnd() % 4 == 0, broadcast_b = rnd() % 3 == 0;
  s->batch = rnd() % 3 == 0 ? rnd_in(2, MAX_BATCH) : 1;
  s->m = rnd() % 4 == 0 ? 1 : rnd_dim();
  s->n = rnd_dim();
  s->k = rnd_dim();
  for (bi = 0; bi < s->batch; ++bi) {
    s->a_offsets[bi] = broadcast_a ? 0 : bi * s->m * s->k;
    s->b_offsets[bi] = broadcast_b ? 0 : bi * s->n * s->k;
  }
  sprintf(case_shape, "batch %ld m %ld n %ld k %ld", (long)s->batch, (long)s->m, (long)s->n, (long)s->k);
  fill(a_buf, MAX_ELEMS);
  fill(b_buf, MAX_ELEMS);
}
#define SHAPE_ARGS(s) (s).batch, (s).m, (s).n, (s).k, (s).a_offsets, (s).b_offsets
#define OUT_BYTES(s, T) ((s).batch * (s).m * (s).n * (int32_t)sizeof(T) + GUARD)

#define CHECK_PLAIN(test, ref, TA, TY, s)                                                                        \
  do {                                                                                                         \
    clear_outputs();                                                                                           \
    test((const TA *)a_buf, b_buf, (TY *)y_test, SHAPE_ARGS(s));                                               \
    ref((const TA *)a_buf, b_buf, (TY *)y_ref, SHAPE_ARGS(s));                                                 \
    compare(#test, y_test, y_ref, OUT_BYTES(s, TY));                                                           \
  } while (0)

/* Requantization parameters: a layout (0 per tensor, 1 per row, 2 per column, 3 per batch, 4 per
 * element), multipliers bounded for the 32-bit path or not, and an output range inside TY's. */
struct rq {
  int32_t strides[4], shift, lo, hi;
};
static void rnd_rq(struct rq *q, const struct shape *s, int out_unsigned, int out_bits, int32_t layout) {
  const uint32_t limit = dp_requantize_mul_limit(s->k, 255u, 128u);
  const int bounded = rnd() % 4 != 0;
  int32_t count, i;
  q->strides[0] = layout == 3 ? 1 : 0;
  q->strides[1] = layout == 1 ? 1 : layout == 4 ? s->n : 0;
  q->strides[2] = layout == 2 || layout == 4 ? 1 : 0;
  q->strides[3] = bounded && rnd() % 2; /* the compiler's verdict, or none */
  count = (s->batch - 1) * q->strides[0] + (s->m - 1) * q->strides[1] + (s->n - 1) * q->strides[2] + 1;
  q->shift = bounded ? rnd_in(0, 20) : rnd_in(0, 40);
  for (i = 0; i < count; ++i) {
    const int32_t cap = bounded ? (int32_t)(limit < 0x7FFFFFFFu ? limit : 0x7FFFFFFF) : 0x7FFFFFFF;
    int32_t mul = cap > 0 ? rnd_in(-cap < -0x3FFFFFFF ? -0x3FFFFFFF : -cap, cap < 0x3FFFFFFF ? cap : 0x3FFFFFFF) : 0;
    int32_t add = (q->shift ? (int32_t)1 << (q->shift > 30 ? 30 : q->shift - 1) : 0) + rnd_in(-1000, 1000);
    if (!bounded && rnd() % 2) mul = (int32_t)(rnd() | 0x40000000u);
    mul_buf[i] = mul;
    add_buf[i] = add;
  }
  if (out_bits == 16) {
    q->lo = out_unsigned ? 0 : -32768, q->hi = out_unsigned ? 65535 : 32767;
  } else if (out_unsigned) {
    switch (rnd_in(0, 2)) {
      case 0: q->lo = 0, q->hi = 255; break;
      case 1: q->lo = 0, q->hi = 127; break;
      default: q->lo = 3, q->hi = 200; break;
    }
  } else {
    switch (rnd_in(0, 3)) {
      case 0: q->lo = -128, q->hi = 127; break;
      case 1: q->lo = 0, q->hi = 127; break;
      case 2: q->lo = -64, q->hi = 63; break;
      default: q->lo = -50, q->hi = 77; break;
    }
  }
}
#define CHECK_RQ(test, ref, TA, TY, s, q)                                                                        \
  do {                                                                                                         \
    clear_outputs();                                                                                           \
    test((const TA *)a_buf, b_buf, (TY *)y_test, SHAPE_ARGS(s), mul_buf, add_buf, (q).strides, (q).shift,      \
         (q).lo, (q).hi);                                                                                      \
    ref((const TA *)a_buf, b_buf, (TY *)y_ref, SHAPE_ARGS(s), mul_buf, add_buf, (q).strides, (q).shift, (q).lo, \
        (q).hi);                                                                                               \
    compare(#test, y_test, y_ref, OUT_BYTES(s, TY));                                                           \
  } while (0)

static void check_products(int32_t cases) {
  int32_t i;
  case_name = "product";
  for (i = 0; i < cases; ++i) {
    struct shape s;
    struct rq q;
    rnd_shape(&s);
    CHECK_PLAIN(dp_matmul_nt_s8_s8_s32, ref_matmul_nt_s8, int8_t, int32_t, s);
    CHECK_PLAIN(dp_matmul_nt_u8_s8_s32, ref_matmul_nt_u8, uint8_t, int32_t, s);
    CHECK_PLAIN(dp_matmul_nn_s8_s8_s32, ref_matmul_nn_s8, int8_t, int32_t, s);
    CHECK_PLAIN(dp_matmul_nn_u8_s8_s32, ref_matmul_nn_u8, uint8_t, int32_t, s);
    CHECK_PLAIN(test_matmul_nt_s8_s8, ref_matmul_nt_s8_s8, int8_t, int8_t, s);
    CHECK_PLAIN(test_matmul_nn_u8_s16, ref_matmul_nn_u8_s16, uint8_t, int16_t, s);
    rnd_rq(&q, &s, 0, 8, rnd_in(0, 4));
    CHECK_RQ(dp_rqmatmul_nt_s8_s8_s8, ref_rqmatmul_nt_s8_s8, int8_t, int8_t, s, q);
    CHECK_RQ(dp_rqmatmul_nt_u8_s8_s8, ref_rqmatmul_nt_u8_s8, uint8_t, int8_t, s, q);
    CHECK_RQ(dp_rqmatmul_nn_s8_s8_s8, ref_rqmatmul_nn_s8_s8, int8_t, int8_t, s, q);
    CHECK_RQ(dp_rqmatmul_nn_u8_s8_s8, ref_rqmatmul_nn_u8_s8, uint8_t, int8_t, s, q);
    rnd_rq(&q, &s, 1, 8, rnd_in(0, 4));
    CHECK_RQ(dp_rqmatmul_nt_s8_s8_u8, ref_rqmatmul_nt_s8_u8, int8_t, uint8_t, s, q);
    CHECK_RQ(dp_rqmatmul_nt_u8_s8_u8, ref_rqmatmul_nt_u8_u8, uint8_t, uint8_t, s, q);
    CHECK_RQ(dp_rqmatmul_nn_s8_s8_u8, ref_rqmatmul_nn_s8_u8, int8_t, uint8_t, s, q);
    CHECK_RQ(dp_rqmatmul_nn_u8_s8_u8, ref_rqmatmul_nn_u8_u8, uint8_t, uint8_t, s, q);
    rnd_rq(&q, &s, 0, 16, rnd_in(0, 4));
    CHECK_RQ(test_rqmatmul_nt_s8_s16, ref_rqmatmul_nt_s8_s16, int8_t, int16_t, s, q);
  }
}

/* ---- Gemm: alpha, beta and C broadcast by its strides, or the plain product ---- */
#define CHECK_GEMM(test, ref, TA, s, alpha, beta, crs, ccs)                                                    \
  do {                                                                                                         \
    clear_outputs();                                                                                           \
    test((const TA *)a_buf, b_buf, (const int32_t *)(const void *)c_buf, y_test, (s).m, (s).n, (s).k, alpha,    \
         beta, crs, ccs);                                                                                      \
    ref((const TA *)a_buf, b_buf, (const int32_t *)(const void *)c_buf, y_ref, (s).m, (s).n, (s).k, alpha,      \
        beta, crs, ccs);                                                                                       \
    compare(#test, y_test, y_ref, (s).m * (s).n * 4 + GUARD);                                                  \
  } while (0)
static void check_gemm(int32_t cases) {
  int32_t i;
  case_name = "gemm";
  for (i = 0; i < cases; ++i) {
    struct shape s;
    const int plain = rnd() % 3 == 0;
    const uint32_t alpha = plain ? 1u : (uint32_t)rnd_in(-5, 5), beta = plain ? 0u : (uint32_t)rnd_in(-3, 3);
    const int32_t c_layout = rnd_in(0, 2);
    int32_t crs, ccs;
    rnd_shape(&s);
    s.batch = 1;
    fill(c_buf, POOL);
    crs = c_layout == 0 ? s.n : 0; /* full C, a row broadcast down the rows, a scalar */
    ccs = c_layout == 2 ? 0 : 1;
    CHECK_GEMM(dp_gemm_nt_s8_s8_s32, ref_gemm_nt_s8, int8_t, s, alpha, beta, crs, ccs);
    CHECK_GEMM(dp_gemm_nt_u8_s8_s32, ref_gemm_nt_u8, uint8_t, s, alpha, beta, crs, ccs);
    CHECK_GEMM(dp_gemm_nn_s8_s8_s32, ref_gemm_nn_s8, int8_t, s, alpha, beta, crs, ccs);
    CHECK_GEMM(dp_gemm_nn_u8_s8_s32, ref_gemm_nn_u8, uint8_t, s, alpha, beta, crs, ccs);
  }
}

/* ---- Conv ---- */
/* Output sizes of a geometry (a kernel of one tap where the window would not fit). */
static void conv_outputs(int32_t *geom) {
  int32_t j;
  for (j = 0; j < 2; ++j) {
    const int32_t in = geom[j ? DP_CONV_IN_W : DP_CONV_IN_H] + 2 * geom[j ? DP_CONV_PAD_LEFT : DP_CONV_PAD_TOP];
    const int32_t span =
        (geom[j ? DP_CONV_KERNEL_W : DP_CONV_KERNEL_H] - 1) * geom[j ? DP_CONV_DILATION_W : DP_CONV_DILATION_H] + 1;
    int32_t out = in >= span ? (in - span) / geom[j ? DP_CONV_STRIDE_W : DP_CONV_STRIDE_H] + 1 : 0;
    if (out < 1) {
      geom[j ? DP_CONV_KERNEL_W : DP_CONV_KERNEL_H] = 1;
      out = (in - 1) / geom[j ? DP_CONV_STRIDE_W : DP_CONV_STRIDE_H] + 1;
    }
    geom[j ? DP_CONV_OUT_W : DP_CONV_OUT_H] = out;
  }
  sprintf(case_shape, "in %ldx%ldx%ld out %ld kernel %ldx%ld stride %ld,%ld dilation %ld,%ld pad %ld,%ld group %ld",
          (long)geom[DP_CONV_IN_CHANNELS], (long)geom[DP_CONV_IN_H], (long)geom[DP_CONV_IN_W],
          (long)geom[DP_CONV_OUT_CHANNELS], (long)geom[DP_CONV_KERNEL_H], (long)geom[DP_CONV_KERNEL_W],
          (long)geom[DP_CONV_STRIDE_H], (long)geom[DP_CONV_STRIDE_W], (long)geom[DP_CONV_DILATION_H],
          (long)geom[DP_CONV_DILATION_W], (long)geom[DP_CONV_PAD_TOP], (long)geom[DP_CONV_PAD_LEFT],
          (long)geom[DP_CONV_GROUP]);
  fill(a_buf, MAX_ELEMS);
  fill(b_buf, MAX_ELEMS);
  fill(c_buf, POOL);
}
/* Requantization parameters of a Conv: per channel or per tensor. */
static int32_t conv_rq(struct rq *q, const int32_t *geom) {
  struct shape s;
  s.batch = 1, s.m = 1, s.n = geom[DP_CONV_OUT_CHANNELS];
  s.k = geom[DP_CONV_IN_CHANNELS] / geom[DP_CONV_GROUP] * geom[DP_CONV_KERNEL_H] * geom[DP_CONV_KERNEL_W];
  rnd_rq(q, &s, 0, 8, 2);
  return (int32_t)(rnd() % 2);
}
#define CONV_OUT_ELEMS(geom) \
  ((geom)[DP_CONV_BATCH] * (geom)[DP_CONV_OUT_CHANNELS] * (geom)[DP_CONV_OUT_H] * (geom)[DP_CONV_OUT_W])

/* im2col rows (more than one input channel per group). */
static void check_conv(int32_t cases) {
  int32_t i;
  case_name = "conv";
  for (i = 0; i < cases; ++i) {
    int32_t geom[DP_CONV_GEOMETRY_SIZE], out_elems, rq_stride;
    const int32_t group = rnd() % 4 == 0 ? 2 : 1;
    const int32_t *bias;
    struct rq q;
    geom[DP_CONV_BATCH] = rnd_in(1, 2);
    geom[DP_CONV_IN_CHANNELS] = group * rnd_in(2, 9);
    geom[DP_CONV_IN_H] = rnd_in(1, 9);
    geom[DP_CONV_IN_W] = rnd_in(1, 9);
    geom[DP_CONV_OUT_CHANNELS] = group * rnd_in(1, 20);
    geom[DP_CONV_KERNEL_H] = rnd_in(1, 3);
    geom[DP_CONV_KERNEL_W] = rnd_in(1, 3);
    geom[DP_CONV_STRIDE_H] = rnd_in(1, 2);
    geom[DP_CONV_STRIDE_W] = rnd_in(1, 2);
    geom[DP_CONV_DILATION_H] = rnd_in(1, 2);
    geom[DP_CONV_DILATION_W] = rnd_in(1, 2);
    geom[DP_CONV_PAD_TOP] = rnd_in(0, 1);
    geom[DP_CONV_PAD_LEFT] = rnd_in(0, 1);
    geom[DP_CONV_GROUP] = group;
    conv_outputs(geom);
    out_elems = CONV_OUT_ELEMS(geom);
    bias = rnd() % 2 ? (const int32_t *)(const void *)c_buf : NULL;
    clear_outputs();
    dp_conv_im2col_s8_s8_s32(a_buf, b_buf, bias, y_test, geom, col_buf);
    ref_conv_s8(a_buf, b_buf, bias, y_ref, geom, col_buf);
    compare("dp_conv_im2col_s8_s8_s32", y_test, y_ref, out_elems * 4 + GUARD);
    clear_outputs();
    dp_conv_im2col_u8_s8_s32((const uint8_t *)a_buf, b_buf, bias, y_test, geom, (uint8_t *)col_buf);
    ref_conv_u8((const uint8_t *)a_buf, b_buf, bias, y_ref, geom, (uint8_t *)col_buf);
    compare("dp_conv_im2col_u8_s8_s32", y_test, y_ref, out_elems * 4 + GUARD);
    rq_stride = conv_rq(&q, geom);
    clear_outputs();
    dp_rqconv_im2col_s8_s8_s8(a_buf, b_buf, (int8_t *)y_test, geom, mul_buf, add_buf, rq_stride, q.shift, q.lo, q.hi,
                              col_buf);
    ref_rqconv_s8_s8(a_buf, b_buf, (int8_t *)y_ref, geom, mul_buf, add_buf, rq_stride, q.shift, q.lo, q.hi, col_buf);
    compare("dp_rqconv_im2col_s8_s8_s8", y_test, y_ref, out_elems + GUARD);
    clear_outputs();
    dp_rqconv_im2col_u8_s8_u8((const uint8_t *)a_buf, b_buf, (uint8_t *)y_test, geom, mul_buf, add_buf, rq_stride,
                              q.shift, 0, 255, (uint8_t *)col_buf);
    ref_rqconv_u8_u8((const uint8_t *)a_buf, b_buf, (uint8_t *)y_ref, geom, mul_buf, add_buf, rq_stride, q.shift, 0,
                     255, (uint8_t *)col_buf);
    compare("dp_rqconv_im2col_u8_s8_u8", y_test, y_ref, out_elems + GUARD);
  }
}

/* Direct loops (one input channel per group: depthwise, channel multipliers), rows wide enough for runs. */
static void check_conv_direct(int32_t cases) {
  int32_t i;
  case_name = "conv direct";
  for (i = 0; i < cases; ++i) {
    int32_t geom[DP_CONV_GEOMETRY_SIZE], out_elems, rq_stride;
    const int32_t channels = rnd_in(1, 6);
    const int32_t *bias;
    struct rq q;
    geom[DP_CONV_BATCH] = rnd_in(1, 2);
    geom[DP_CONV_IN_CHANNELS] = channels;
    geom[DP_CONV_IN_H] = rnd_in(1, 12);
    geom[DP_CONV_IN_W] = rnd_in(1, 40);
    geom[DP_CONV_OUT_CHANNELS] = channels * rnd_in(1, 2);
    geom[DP_CONV_KERNEL_H] = rnd_in(1, 4);
    geom[DP_CONV_KERNEL_W] = rnd_in(1, 9);
    geom[DP_CONV_STRIDE_H] = rnd_in(1, 2);
    geom[DP_CONV_STRIDE_W] = rnd_in(1, 3);
    geom[DP_CONV_DILATION_H] = rnd_in(1, 2);
    geom[DP_CONV_DILATION_W] = rnd() % 4 ? 1 : 2;
    geom[DP_CONV_PAD_TOP] = rnd_in(0, 2);
    geom[DP_CONV_PAD_LEFT] = rnd_in(0, 3);
    geom[DP_CONV_GROUP] = channels;
    conv_outputs(geom);
    out_elems = CONV_OUT_ELEMS(geom);
    bias = rnd() % 2 ? (const int32_t *)(const void *)c_buf : NULL;
    clear_outputs();
    dp_conv_direct_s8_s8_s32(a_buf, b_buf, bias, y_test, geom);
    ref_conv_direct_s8(a_buf, b_buf, bias, y_ref, geom);
    compare("dp_conv_direct_s8_s8_s32", y_test, y_ref, out_elems * 4 + GUARD);
    clear_outputs();
    dp_conv_direct_u8_s8_s32((const uint8_t *)a_buf, b_buf, bias, y_test, geom);
    ref_conv_direct_u8((const uint8_t *)a_buf, b_buf, bias, y_ref, geom);
    compare("dp_conv_direct_u8_s8_s32", y_test, y_ref, out_elems * 4 + GUARD);
    rq_stride = conv_rq(&q, geom);
    clear_outputs();
    dp_rqconv_direct_s8_s8_s8(a_buf, b_buf, (int8_t *)y_test, geom, mul_buf, add_buf, rq_stride, q.shift, q.lo, q.hi);
    ref_rqconv_direct_s8_s8(a_buf, b_buf, (int8_t *)y_ref, geom, mul_buf, add_buf, rq_stride, q.shift, q.lo, q.hi);
    compare("dp_rqconv_direct_s8_s8_s8", y_test, y_ref, out_elems + GUARD);
    clear_outputs();
    dp_rqconv_direct_u8_s8_u8((const uint8_t *)a_buf, b_buf, (uint8_t *)y_test, geom, mul_buf, add_buf, rq_stride,
                              q.shift, 0, 255);
    ref_rqconv_direct_u8_u8((const uint8_t *)a_buf, b_buf, (uint8_t *)y_ref, geom, mul_buf, add_buf, rq_stride,
                            q.shift, 0, 255);
    compare("dp_rqconv_direct_u8_s8_u8", y_test, y_ref, out_elems + GUARD);
  }
}

#ifdef DP_XPULP
/* ---- The tiles themselves, at any alignment ---- */
static uint32_t tile_test[MAX_DIM * MAX_DIM + GUARD], tile_ref[MAX_DIM * MAX_DIM + GUARD];
static void tile_ref_nt(const uint8_t *a, int u, const int8_t *bt, int32_t rows, int32_t cols, int32_t k,
                        uint32_t *acc, int32_t stride) {
  int32_t r, c, t;
  for (r = 0; r < rows; ++r)
    for (c = 0; c < cols; ++c) {
      uint32_t s = 0;
      for (t = 0; t < k; ++t)
        s += (uint32_t)((u ? (int32_t)a[r * k + t] : (int32_t)(int8_t)a[r * k + t]) * bt[c * k + t]);
      acc[r * stride + c] = s;
    }
}
static void tile_ref_nn(const uint8_t *a, int u, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,
                        uint32_t *acc, int32_t stride) {
  int32_t r, c, t;
  for (r = 0; r < rows; ++r)
    for (c = 0; c < cols; ++c) {
      uint32_t s = 0;
      for (t = 0; t < k; ++t)
        s += (uint32_t)((u ? (int32_t)a[r * k + t] : (int32_t)(int8_t)a[r * k + t]) * b[t * ldb + c]);
      acc[r * stride + c] = s;
    }
}
static void check_tiles(int32_t cases) {
  int32_t i;
  case_name = "tile";
  for (i = 0; i < cases; ++i) {
    const int32_t rows = rnd_dim(), cols = rnd_dim(), k = rnd_in(4, i % 8 == 0 ? 600 : MAX_DIM);
    const int32_t ldb = cols + (rnd() % 2 ? rnd_in(0, 5) : 0), stride = cols + rnd_in(0, 3);
    const int32_t a_mis = rnd_in(0, 3), b_mis = rnd_in(0, 3);
    const int u = rnd() % 2;
    const uint8_t *a = (const uint8_t *)a_buf + a_mis;
    const int8_t *b = b_buf + b_mis;
    if (rows * k + 4 > POOL || cols * k + 4 > POOL || k * ldb + 4 > POOL || rows * stride > MAX_DIM * MAX_DIM) continue;
    sprintf(case_shape, "rows %ld cols %ld k %ld ldb %ld misaligned %ld %ld %s", (long)rows, (long)cols, (long)k,
            (long)ldb, (long)a_mis, (long)b_mis, u ? "u8" : "s8");
    fill(a_buf, POOL);
    fill(b_buf, POOL);
    memset(tile_test, 0x5A, sizeof tile_test);
    memset(tile_ref, 0x5A, sizeof tile_ref);
    if (u)
      dp_xpulp_nt_tile_u8(a, b, rows, cols, k, tile_test, stride);
    else
      dp_xpulp_nt_tile_s8((const int8_t *)a, b, rows, cols, k, tile_test, stride);
    tile_ref_nt(a, u, b, rows, cols, k, tile_ref, stride);
    compare("nt tile", tile_test, tile_ref, (int32_t)sizeof tile_test);
    memset(tile_test, 0x5A, sizeof tile_test);
    memset(tile_ref, 0x5A, sizeof tile_ref);
    if (u)
      dp_xpulp_nn_tile_u8(a, b, ldb, rows, cols, k, tile_test, stride);
    else
      dp_xpulp_nn_tile_s8((const int8_t *)a, b, ldb, rows, cols, k, tile_test, stride);
    tile_ref_nn(a, u, b, ldb, rows, cols, k, tile_ref, stride);
    compare("nn tile", tile_test, tile_ref, (int32_t)sizeof tile_test);
  }
}
#endif

/* ---- Instructions per MAC ---- */
#if defined(__riscv)
static uint32_t instret(void) {
  uint32_t v;
  __asm__ volatile(".option push\n\t.option arch, +zicsr\n\tcsrr %0, minstret\n\t.option pop" : "=r"(v));
  return v;
}
#else
static uint32_t instret(void) { return 0; }
#endif

static const int32_t zero_offsets[1] = {0}, zero_c[1] = {0};
static int32_t perf_mul[PERF_DIM], perf_add[PERF_DIM];

/* Prints instructions per MAC of one call (hundredths). */
static void report(const char *what, int32_t m, int32_t n, int32_t k, uint32_t instructions) {
  const uint64_t macs = (uint64_t)m * n * k;
  const uint32_t hundredths = (uint32_t)(((uint64_t)instructions * 100 + macs / 2) / macs);
  printf("%-34s %3ldx%3ldx%3ld %10lu instructions %lu.%02lu per MAC\n", what, (long)m, (long)n, (long)k,
         (unsigned long)instructions, (unsigned long)(hundredths / 100), (unsigned long)(hundredths % 100));
}
#define PERF(what, call, m, n, k)        \
  do {                                   \
    uint32_t t0 = instret(), t1;         \
    call;                                \
    t1 = instret();                      \
    report(what, m, n, k, t1 - t0);      \
  } while (0)

static void perf(void) {
  static const int32_t shapes[3][3] = {{64, 64, 64}, {PERF_DIM, PERF_DIM, PERF_DIM}, {1, PERF_DIM, PERF_DIM}};
  const int32_t strides[4] = {0, 0, 1, 0};
  int32_t i;
  case_name = "perf";
  fill(a_buf, POOL);
  fill(b_buf, POOL);
  for (i = 0; i < PERF_DIM; ++i) perf_mul[i] = rnd_in(1, 200), perf_add[i] = 1 << 15;
  for (i = 0; i < 3; ++i) {
    const int32_t m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
    sprintf(case_shape, "%ldx%ldx%ld", (long)m, (long)n, (long)k);
    clear_outputs();
    PERF("Gemm NT int8 -> int32", dp_gemm_nt_s8_s8_s32(a_buf, b_buf, zero_c, y_test, m, n, k, 1, 0, 0, 0), m, n, k);
    PERF("  generic", ref_gemm_nt_s8(a_buf, b_buf, zero_c, y_ref, m, n, k, 1, 0, 0, 0), m, n, k);
    compare("perf gemm nt", y_test, y_ref, m * n * 4 + GUARD);
    clear_outputs();
    PERF("RQMatMul NT int8 -> int8",
         dp_rqmatmul_nt_s8_s8_s8(a_buf, b_buf, (int8_t *)y_test, 1, m, n, k, zero_offsets, zero_offsets, perf_mul,
                                 perf_add, strides, 16, -128, 127),
         m, n, k);
    PERF("  generic",
         ref_rqmatmul_nt_s8_s8(a_buf, b_buf, (int8_t *)y_ref, 1, m, n, k, zero_offsets, zero_offsets, perf_mul,
                               perf_add, strides, 16, -128, 127),
         m, n, k);
    compare("perf rqmatmul nt", y_test, y_ref, m * n + GUARD);
    clear_outputs();
    PERF("MatMul NN int8 -> int32",
         dp_matmul_nn_s8_s8_s32(a_buf, b_buf, y_test, 1, m, n, k, zero_offsets, zero_offsets), m, n, k);
    PERF("  generic", ref_matmul_nn_s8(a_buf, b_buf, y_ref, 1, m, n, k, zero_offsets, zero_offsets), m, n, k);
    compare("perf matmul nn", y_test, y_ref, m * n * 4 + GUARD);
    clear_outputs();
    PERF("RQMatMul NN uint8 -> int8",
         dp_rqmatmul_nn_u8_s8_s8((const uint8_t *)a_buf, b_buf, (int8_t *)y_test, 1, m, n, k, zero_offsets,
                                 zero_offsets, perf_mul, perf_add, strides, 16, -128, 127),
         m, n, k);
    PERF("  generic",
         ref_rqmatmul_nn_u8_s8((const uint8_t *)a_buf, b_buf, (int8_t *)y_ref, 1, m, n, k, zero_offsets,
                               zero_offsets, perf_mul, perf_add, strides, 16, -128, 127),
         m, n, k);
    compare("perf rqmatmul nn", y_test, y_ref, m * n + GUARD);
  }
  /* Convolutions: 3x3 depthwise (direct) and 3x3 over 16 channels (im2col), 16 channels of 32 x 32, padded. */
  {
    int32_t geom[DP_CONV_GEOMETRY_SIZE];
    int32_t channels_in;
    for (i = 0; i < 2; ++i) {
      channels_in = i ? 16 : 1;
      geom[DP_CONV_BATCH] = 1, geom[DP_CONV_IN_CHANNELS] = 16, geom[DP_CONV_IN_H] = 32, geom[DP_CONV_IN_W] = 32;
      geom[DP_CONV_OUT_CHANNELS] = 16, geom[DP_CONV_OUT_H] = 32, geom[DP_CONV_OUT_W] = 32;
      geom[DP_CONV_KERNEL_H] = 3, geom[DP_CONV_KERNEL_W] = 3, geom[DP_CONV_STRIDE_H] = 1, geom[DP_CONV_STRIDE_W] = 1;
      geom[DP_CONV_DILATION_H] = 1, geom[DP_CONV_DILATION_W] = 1, geom[DP_CONV_PAD_TOP] = 1, geom[DP_CONV_PAD_LEFT] = 1;
      geom[DP_CONV_GROUP] = 16 / channels_in;
      sprintf(case_shape, "conv %s", i ? "im2col" : "direct");
      clear_outputs();
      if (i) {
        PERF("RQConv 3x3 im2col int8 -> int8",
             dp_rqconv_im2col_s8_s8_s8(a_buf, b_buf, (int8_t *)y_test, geom, perf_mul, perf_add, 1, 16, -128, 127,
                                       col_buf),
             32 * 32, 16, 16 * 9);
        PERF("  generic", ref_rqconv_s8_s8(a_buf, b_buf, (int8_t *)y_ref, geom, perf_mul, perf_add, 1, 16, -128, 127,
                                           col_buf),
             32 * 32, 16, 16 * 9);
      } else {
        PERF("RQConv 3x3 depthwise int8 -> int8",
             dp_rqconv_direct_s8_s8_s8(a_buf, b_buf, (int8_t *)y_test, geom, perf_mul, perf_add, 1, 16, -128, 127),
             32 * 32, 16, 9);
        PERF("  generic",
             ref_rqconv_direct_s8_s8(a_buf, b_buf, (int8_t *)y_ref, geom, perf_mul, perf_add, 1, 16, -128, 127),
             32 * 32, 16, 9);
      }
      compare("perf conv", y_test, y_ref, 16 * 32 * 32 + GUARD);
    }
  }
  /* The shapes of an INT8 microLlama decode step (m = 1) and its attention. */
  {
    static const int32_t small[][4] = {{1, 1, 64, 64}, {1, 1, 256, 64}, {1, 1, 64, 256}, {16, 1, 33, 4}, {16, 1, 4, 33},
                                       {1, 16, 4, 4}};
    int32_t offsets_a[16], offsets_b[16];
    for (i = 0; i < (int32_t)(sizeof small / sizeof small[0]); ++i) {
      const int32_t batch = small[i][0], m = small[i][1], n = small[i][2], k = small[i][3];
      int32_t bi;
      for (bi = 0; bi < batch; ++bi) offsets_a[bi] = bi * m * k, offsets_b[bi] = bi * k * n;
      sprintf(case_shape, "%ld x %ldx%ldx%ld", (long)batch, (long)m, (long)n, (long)k);
      clear_outputs();
      if (i < 3) {
        PERF("decode RQMatMul NT", dp_rqmatmul_nt_s8_s8_s8(a_buf, b_buf, (int8_t *)y_test, batch, m, n, k, offsets_a,
                                                           offsets_b, perf_mul, perf_add, strides, 16, -128, 127),
             batch * m, n, k);
        PERF("  generic", ref_rqmatmul_nt_s8_s8(a_buf, b_buf, (int8_t *)y_ref, batch, m, n, k, offsets_a, offsets_b,
                                                perf_mul, perf_add, strides, 16, -128, 127),
             batch * m, n, k);
      } else {
        PERF("attention RQMatMul NN", dp_rqmatmul_nn_s8_s8_s8(a_buf, b_buf, (int8_t *)y_test, batch, m, n, k,
                                                              offsets_a, offsets_b, perf_mul, perf_add, strides, 16,
                                                              -128, 127),
             batch * m, n, k);
        PERF("  generic", ref_rqmatmul_nn_s8_s8(a_buf, b_buf, (int8_t *)y_ref, batch, m, n, k, offsets_a, offsets_b,
                                                perf_mul, perf_add, strides, 16, -128, 127),
             batch * m, n, k);
      }
      compare("perf small", y_test, y_ref, batch * m * n + GUARD);
    }
  }
}

int main(void) {
  check_products(400);
  check_gemm(150);
  check_conv(150);
  check_conv_direct(150);
#ifdef DP_XPULP
  check_tiles(400);
#else
  printf("note: built without the CORE-V kernels (no __riscv_xcvsimd): generic against generic\n");
#endif
  perf();
  printf("%d of %d checks failed\n", failures, checks);
  return failures ? 1 : 0;
}
