/* Matrix multiplication kernels (MatMul, and the core shared with Gemm and Conv).
 *
 * Accumulation: integer kernels accumulate in a 32-bit register of type uint32_t: unsigned arithmetic
 * wraps modulo 2^32 without undefined behaviour and gives exactly the bits of the int32 result (products
 * of any integer operands are correct modulo 2^32). Float kernels accumulate in float, every output in
 * the order of its terms (t = 0, 1, ..., k-1), so results do not depend on the blocking below.
 *
 * Two operand layouts, both with contiguous inner loops:
 *   NT: B is given transposed, bt[n][k] (the compiler transposes constant weights at compile time), so
 *       every output is a dot product of two contiguous rows.
 *   NN: B is given as b[k][n] (a runtime operand); a block of adjacent columns is read from each B row
 *       while walking down K.
 * Batches: output batch i reads A at a + a_offsets[i] and B at b + b_offsets[i] (element offsets computed
 * at compile time, which covers any broadcasting of batch dimensions); outputs are contiguous.
 *
 * Register blocking. Without SIMD (rv32imac) a multiply-accumulate costs at least a load, a mul and an
 * add. The micro-kernels below keep a block of R rows of A by C columns of B in R*C accumulator
 * registers, so a step of K loads R + C operands for R*C multiply-accumulates, and unroll K with
 * immediate load offsets, so each operand row costs one pointer increment per 8 (16) steps:
 *   3x4 blocks for several rows, 3x1 for the columns left over; 1x8 (then 1x4, 1x1) for single rows: the
 *   decode-step GEMV (m = 1), leftover rows and Conv's im2col column.
 * Measured with riscv64-unknown-elf-gcc -O2 -march=rv32imac (QEMU's instruction count, int8 operands,
 * one block, instructions per MAC at K = 64 / 256): 3x4 2.82 / 2.71, 4x3 2.89 / 2.79, 4x2 3.03 / 2.90,
 * 4x4 3.40 / 3.30 (16 accumulators and 8 row pointers exceed the 28 allocatable registers and spill);
 * one row: 1x8 unrolled by 16 3.42 / 3.26, by 8 3.49 / 3.33, 1x4 3.66 / 3.49, 1x16 4.18 / 4.03 (spills).
 * Operands are loaded one element at a time: unpacking four int8 values from one 32-bit load takes 7 to 8
 * shifts against 4 byte loads (a 3x4 block so built measured 5.7 instructions per MAC).
 * These numbers need the kernels to be compiled without GCC's pre-register-allocation scheduling and
 * integer reassociation, which hoist all loads of an unrolled body and regroup the sums, running out of
 * registers (with them 3x4 takes 4.07 / 3.95 and 1x8 5.75 / 5.56): the DP_DEFINE_* macros turn them off
 * for the functions they define (DP_BLOCKED_BEGIN).
 *
 * Requantized variants apply, in the epilogue, y = clamp((acc * mul + add) >> shift, lo, hi) with the
 * rounding term already folded into add, so the 32-bit accumulator never goes to memory. mul and add are
 * read at  batch * rq_strides[0] + row * rq_strides[1] + col * rq_strides[2]  (0 where they are
 * broadcast), which covers per-tensor, per-row, per-column and per-batch parameters. rq_strides[3] is 1
 * when the compiler found every parameter the call reads dp_requantize_is_bounded for its k and its types
 * (so kernels may requantize in 32 bits without testing them), else 0.
 *
 * Kernels are instantiated per type combination with the DP_DEFINE_* macros below; matmul.c compiles the
 * common ones (declared at the end of this header), generated code instantiates others as static. */
#ifndef DP_MATMUL_H
#define DP_MATMUL_H

#include "kernels/dp_common.h"

/* GCC's scheduling before register allocation and its reassociation of integer sums hoist every load of
 * an unrolled micro-kernel body and regroup its sums, running out of registers (see above): the
 * DP_DEFINE_* macros compile their functions without them. Other compilers ignore this. */
#if defined(__GNUC__) && !defined(__clang__)
#define DP_BLOCKED_BEGIN \
  _Pragma("GCC push_options") _Pragma("GCC optimize(\"no-schedule-insns\", \"no-tree-reassoc\")")
#define DP_BLOCKED_END _Pragma("GCC pop_options")
#else
#define DP_BLOCKED_BEGIN
#define DP_BLOCKED_END
#endif

/* The int32 value of a wrapped 32-bit accumulator (no implementation-defined conversion). */
static inline int32_t dp_acc_to_s32(uint32_t v) {
  return v <= 0x7FFFFFFFu ? (int32_t)v : -(int32_t)(~v) - 1;
}

/* The requantization epilogue; `add` already contains the rounding term 2^(shift-1). */
static inline int32_t dp_requantize(int32_t acc, int32_t mul, int32_t add, int32_t shift, int32_t lo, int32_t hi) {
  return dp_clamp_i32(dp_asr64((int64_t)acc * mul + add, shift), lo, hi);
}

/* The largest magnitude of integer type T of at most 16 bits, 0 for wider types (no useful bound). */
#define DP_INT_MAGNITUDE(T) \
  (sizeof(T) == 1 ? ((T) ~(T)0 > 0 ? 255u : 128u) : sizeof(T) == 2 ? ((T) ~(T)0 > 0 ? 65535u : 32768u) : 0u)

/* The largest |mul| for which |acc * mul| <= 2^30 when acc is a sum of k products of values of magnitude
 * at most a_max and b_max (0: unbounded, then only mul = 0 qualifies). */
static inline uint32_t dp_requantize_mul_limit(int32_t k, uint32_t a_max, uint32_t b_max) {
  const uint64_t acc_max = (uint64_t)(k > 0 ? k : 0) * a_max * b_max;
  const uint32_t budget = (uint32_t)1 << 30;
  if (a_max == 0 || b_max == 0 || acc_max > budget) return 0;
  return acc_max == 0 ? budget : budget / (uint32_t)acc_max; /* a 32-bit division: no library call */
}

/* Whether |mul| <= mul_limit and |add| < 2^30, so that acc * mul + add cannot leave int32. */
static inline int dp_requantize_is_bounded(int32_t mul, int32_t add, uint32_t mul_limit) {
  return (uint32_t)mul + mul_limit <= 2 * mul_limit && (uint32_t)add + 0x3FFFFFFFu <= 0x7FFFFFFEu;
}

/* dp_requantize, in 32-bit arithmetic (half the instructions on rv32) when the parameters are bounded;
 * shift_32 is min(shift, 31), the same floor for such values. */
static inline int32_t dp_requantize_bounded(int32_t acc, int32_t mul, int32_t add, uint32_t mul_limit, int32_t shift,
                                            int32_t shift_32, int32_t lo, int32_t hi) {
  if (dp_requantize_is_bounded(mul, add, mul_limit)) {
    const int32_t v = acc * mul + add;
    int32_t q = v >= 0 ? v >> shift_32 : ~(~v >> shift_32);
    if (q < lo) q = lo; /* lo <= hi */
    if (q > hi) q = hi;
    return q;
  }
  return dp_requantize(acc, mul, add, shift, lo, hi);
}

/* Whether the first count parameters are all dp_requantize_is_bounded. */
static inline int dp_requantize_all_bounded(const int32_t *mul, const int32_t *add, int32_t count, uint32_t mul_limit) {
  int32_t i;
  for (i = 0; i < count; ++i) {
    if (!dp_requantize_is_bounded(mul[i], add[i], mul_limit)) return 0;
  }
  return 1;
}

/* Tiles of the int8 NT and NN products written for one instruction set (the DP_SIMD_* hooks below): DSP or
 * MVE instructions on Arm Cortex-M (matmul_arm.h, matmul_nn_arm.h), Xpulp on CORE-V (matmul_xpulp.h). */
#include "kernels/simd_hooks.h"

/* ---- Micro-kernels ----
 * Each computes a block of dot products over t = 0 .. k-1 into acc[] (row-major, rows of A by columns of
 * B). The step macros use the kernel's locals: row pointers a0.. (A) and b0.. (NT) or bp (NN), operand
 * registers x0.., y of the accumulator type (the assignment converts like a cast), accumulators s<row><col>. */
#define DP_UNROLL8(STEP) STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7)

/* Three rows times one column value: s0c, s1c, s2c += x0, x1, x2 times v. */
#define DP_3ROWS_MAC(c, v) \
  y = (v);                 \
  s0##c += x0 * y;         \
  s1##c += x1 * y;         \
  s2##c += x2 * y;
/* One row times one column value. */
#define DP_1ROW_MAC(c, v) \
  y = (v);                \
  s0##c += x0 * y;

#define DP_NT3X4_STEP(u)                                               \
  x0 = a0[u];                                                          \
  x1 = a1[u];                                                          \
  x2 = a2[u];                                                          \
  DP_3ROWS_MAC(0, b0[u]) DP_3ROWS_MAC(1, b1[u]) DP_3ROWS_MAC(2, b2[u]) \
  DP_3ROWS_MAC(3, b3[u])
#define DP_NT3X1_STEP(u) \
  x0 = a0[u];            \
  x1 = a1[u];            \
  x2 = a2[u];            \
  DP_3ROWS_MAC(0, b0[u])
#define DP_NT1X8_STEP(u)                                                                  \
  x0 = a0[u];                                                                             \
  DP_1ROW_MAC(0, b0[u]) DP_1ROW_MAC(1, b1[u]) DP_1ROW_MAC(2, b2[u]) DP_1ROW_MAC(3, b3[u]) \
  DP_1ROW_MAC(4, b4[u]) DP_1ROW_MAC(5, b5[u]) DP_1ROW_MAC(6, b6[u]) DP_1ROW_MAC(7, b7[u])
#define DP_NT1X4_STEP(u) \
  x0 = a0[u];            \
  DP_1ROW_MAC(0, b0[u]) DP_1ROW_MAC(1, b1[u]) DP_1ROW_MAC(2, b2[u]) DP_1ROW_MAC(3, b3[u])
#define DP_NT1X1_STEP(u) \
  x0 = a0[u];            \
  DP_1ROW_MAC(0, b0[u])

/* NN steps read the current B row at bp and move bp to the next one. */
#define DP_NN3X4_STEP(u)                                               \
  x0 = a0[u];                                                          \
  x1 = a1[u];                                                          \
  x2 = a2[u];                                                          \
  DP_3ROWS_MAC(0, bp[0]) DP_3ROWS_MAC(1, bp[1]) DP_3ROWS_MAC(2, bp[2]) \
  DP_3ROWS_MAC(3, bp[3])                                               \
  bp += n;
#define DP_NN3X1_STEP(u) \
  x0 = a0[u];            \
  x1 = a1[u];            \
  x2 = a2[u];            \
  DP_3ROWS_MAC(0, bp[0]) \
  bp += n;
#define DP_NN1X8_STEP(u)                                                                  \
  x0 = a0[u];                                                                             \
  DP_1ROW_MAC(0, bp[0]) DP_1ROW_MAC(1, bp[1]) DP_1ROW_MAC(2, bp[2]) DP_1ROW_MAC(3, bp[3]) \
  DP_1ROW_MAC(4, bp[4]) DP_1ROW_MAC(5, bp[5]) DP_1ROW_MAC(6, bp[6]) DP_1ROW_MAC(7, bp[7]) \
  bp += n;
#define DP_NN1X4_STEP(u)                                                                  \
  x0 = a0[u];                                                                             \
  DP_1ROW_MAC(0, bp[0]) DP_1ROW_MAC(1, bp[1]) DP_1ROW_MAC(2, bp[2]) DP_1ROW_MAC(3, bp[3]) \
  bp += n;
#define DP_NN1X1_STEP(u) \
  x0 = a0[u];            \
  DP_1ROW_MAC(0, bp[0])  \
  bp += n;

/* The K loop of a micro-kernel: 8 steps per iteration, then the remaining steps one at a time. ADVANCE(d)
 * moves the row pointers of A (and of B for NT) by d. */
#define DP_K_LOOP(TA, STEP, ADVANCE)                     \
  {                                                      \
    const int32_t k8 = k & ~(int32_t)7;                  \
    const TA *const end8 = a0 + k8, *const end = a0 + k; \
    while (a0 != end8) {                                 \
      DP_UNROLL8(STEP)                                   \
      ADVANCE(8)                                         \
    }                                                    \
    while (a0 != end) {                                  \
      STEP(0)                                            \
      ADVANCE(1)                                         \
    }                                                    \
  }
/* The same with 16 steps per iteration, then at most one of 8, for the single-row kernels. */
#define DP_K_LOOP16(TA, STEP, ADVANCE)                                      \
  {                                                                         \
    const int32_t k16 = k & ~(int32_t)15;                                   \
    const TA *const end16 = a0 + k16, *const end = a0 + k;                  \
    while (a0 != end16) {                                                   \
      DP_UNROLL8(STEP)                                                      \
      STEP(8) STEP(9) STEP(10) STEP(11) STEP(12) STEP(13) STEP(14) STEP(15) \
      ADVANCE(16)                                                           \
    }                                                                       \
    if (k & 8) {                                                            \
      DP_UNROLL8(STEP)                                                      \
      ADVANCE(8)                                                            \
    }                                                                       \
    while (a0 != end) {                                                     \
      STEP(0)                                                               \
      ADVANCE(1)                                                            \
    }                                                                       \
  }

#define DP_ADVANCE_A3(d) a0 += (d), a1 += (d), a2 += (d);
#define DP_ADVANCE_A1(d) a0 += (d);
#define DP_ADVANCE_A3_B4(d) a0 += (d), a1 += (d), a2 += (d), b0 += (d), b1 += (d), b2 += (d), b3 += (d);
#define DP_ADVANCE_A3_B1(d) a0 += (d), a1 += (d), a2 += (d), b0 += (d);
#define DP_ADVANCE_A1_B8(d) \
  a0 += (d), b0 += (d), b1 += (d), b2 += (d), b3 += (d), b4 += (d), b5 += (d), b6 += (d), b7 += (d);
#define DP_ADVANCE_A1_B4(d) a0 += (d), b0 += (d), b1 += (d), b2 += (d), b3 += (d);
#define DP_ADVANCE_A1_B1(d) a0 += (d), b0 += (d);

/* Rows of A (three from a with stride k) and of bt (C from b with stride k) as the step macros name them. */
#define DP_ROWS_A3(TA) const TA *a0 = a, *a1 = a0 + k, *a2 = a1 + k;
#define DP_ROWS_A1(TA) const TA *a0 = a;
#define DP_ROWS_B4(TB) const TB *b0 = b, *b1 = b0 + k, *b2 = b1 + k, *b3 = b2 + k;
#define DP_ROWS_B8(TB) DP_ROWS_B4(TB) const TB *b4 = b3 + k, *b5 = b4 + k, *b6 = b5 + k, *b7 = b6 + k;

/* NT micro-kernels: name##_nt<R>x<C>(a, b, k, acc): rows a, a+k, .. of A against rows b, b+k, .. of bt;
 * name##_nt1x1 returns its single dot product. The row kernels (one row of A) are defined apart for Conv,
 * which uses only them. */
#define DP_DEFINE_NT_BLOCK_KERNELS(name, TA, TB, TACC)                                    \
  static inline void name##_nt3x4(const TA *a, const TB *b, int32_t k, TACC *acc) {       \
    DP_ROWS_A3(TA) DP_ROWS_B4(TB)                                                         \
    TACC x0, x1, x2, y;                                                                   \
    TACC s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;          \
    TACC s20 = 0, s21 = 0, s22 = 0, s23 = 0;                                              \
    DP_K_LOOP(TA, DP_NT3X4_STEP, DP_ADVANCE_A3_B4)                                        \
    acc[0] = s00, acc[1] = s01, acc[2] = s02, acc[3] = s03, acc[4] = s10, acc[5] = s11;   \
    acc[6] = s12, acc[7] = s13, acc[8] = s20, acc[9] = s21, acc[10] = s22, acc[11] = s23; \
  }                                                                                       \
  static inline void name##_nt3x1(const TA *a, const TB *b, int32_t k, TACC *acc) {       \
    DP_ROWS_A3(TA)                                                                        \
    const TB *b0 = b;                                                                     \
    TACC x0, x1, x2, y, s00 = 0, s10 = 0, s20 = 0;                                        \
    DP_K_LOOP(TA, DP_NT3X1_STEP, DP_ADVANCE_A3_B1)                                        \
    acc[0] = s00, acc[1] = s10, acc[2] = s20;                                             \
  }
#define DP_DEFINE_NT_ROW_KERNELS(name, TA, TB, TACC)                                    \
  static inline void name##_nt1x8(const TA *a, const TB *b, int32_t k, TACC *acc) {     \
    DP_ROWS_A1(TA) DP_ROWS_B8(TB)                                                       \
    TACC x0, y, s00 = 0, s01 = 0, s02 = 0, s03 = 0, s04 = 0, s05 = 0, s06 = 0, s07 = 0; \
    DP_K_LOOP16(TA, DP_NT1X8_STEP, DP_ADVANCE_A1_B8)                                    \
    acc[0] = s00, acc[1] = s01, acc[2] = s02, acc[3] = s03;                             \
    acc[4] = s04, acc[5] = s05, acc[6] = s06, acc[7] = s07;                             \
  }                                                                                     \
  static inline void name##_nt1x4(const TA *a, const TB *b, int32_t k, TACC *acc) {     \
    DP_ROWS_A1(TA) DP_ROWS_B4(TB)                                                       \
    TACC x0, y, s00 = 0, s01 = 0, s02 = 0, s03 = 0;                                     \
    DP_K_LOOP(TA, DP_NT1X4_STEP, DP_ADVANCE_A1_B4)                                      \
    acc[0] = s00, acc[1] = s01, acc[2] = s02, acc[3] = s03;                             \
  }                                                                                     \
  static inline TACC name##_nt1x1(const TA *a, const TB *b, int32_t k) {                \
    DP_ROWS_A1(TA)                                                                      \
    const TB *b0 = b;                                                                   \
    TACC x0, y, s00 = 0;                                                                \
    DP_K_LOOP(TA, DP_NT1X1_STEP, DP_ADVANCE_A1_B1)                                      \
    return s00;                                                                         \
  }

/* NN micro-kernels: name##_nn<R>x<C>(a, b, k, n, acc): rows a, a+k, .. of A against the C adjacent
 * columns starting at b of a B with rows of n elements; name##_nn1x1 returns its single dot product. */
#define DP_DEFINE_NN_BLOCK_KERNELS(name, TA, TB, TACC)                                         \
  static inline void name##_nn3x4(const TA *a, const TB *b, int32_t k, int32_t n, TACC *acc) { \
    DP_ROWS_A3(TA)                                                                             \
    const TB *bp = b;                                                                          \
    TACC x0, x1, x2, y;                                                                        \
    TACC s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;               \
    TACC s20 = 0, s21 = 0, s22 = 0, s23 = 0;                                                   \
    DP_K_LOOP(TA, DP_NN3X4_STEP, DP_ADVANCE_A3)                                                \
    acc[0] = s00, acc[1] = s01, acc[2] = s02, acc[3] = s03, acc[4] = s10, acc[5] = s11;        \
    acc[6] = s12, acc[7] = s13, acc[8] = s20, acc[9] = s21, acc[10] = s22, acc[11] = s23;      \
  }                                                                                            \
  static inline void name##_nn3x1(const TA *a, const TB *b, int32_t k, int32_t n, TACC *acc) { \
    DP_ROWS_A3(TA)                                                                             \
    const TB *bp = b;                                                                          \
    TACC x0, x1, x2, y, s00 = 0, s10 = 0, s20 = 0;                                             \
    DP_K_LOOP(TA, DP_NN3X1_STEP, DP_ADVANCE_A3)                                                \
    acc[0] = s00, acc[1] = s10, acc[2] = s20;                                                  \
  }
#define DP_DEFINE_NN_ROW_KERNELS(name, TA, TB, TACC)                                           \
  static inline void name##_nn1x8(const TA *a, const TB *b, int32_t k, int32_t n, TACC *acc) { \
    DP_ROWS_A1(TA)                                                                             \
    const TB *bp = b;                                                                          \
    TACC x0, y, s00 = 0, s01 = 0, s02 = 0, s03 = 0, s04 = 0, s05 = 0, s06 = 0, s07 = 0;        \
    DP_K_LOOP(TA, DP_NN1X8_STEP, DP_ADVANCE_A1)                                                \
    acc[0] = s00, acc[1] = s01, acc[2] = s02, acc[3] = s03;                                    \
    acc[4] = s04, acc[5] = s05, acc[6] = s06, acc[7] = s07;                                    \
  }                                                                                            \
  static inline void name##_nn1x4(const TA *a, const TB *b, int32_t k, int32_t n, TACC *acc) { \
    DP_ROWS_A1(TA)                                                                             \
    const TB *bp = b;                                                                          \
    TACC x0, y, s00 = 0, s01 = 0, s02 = 0, s03 = 0;                                            \
    DP_K_LOOP(TA, DP_NN1X4_STEP, DP_ADVANCE_A1)                                                \
    acc[0] = s00, acc[1] = s01, acc[2] = s02, acc[3] = s03;                                    \
  }                                                                                            \
  static inline TACC name##_nn1x1(const TA *a, const TB *b, int32_t k, int32_t n) {            \
    DP_ROWS_A1(TA)                                                                             \
    const TB *bp = b;                                                                          \
    TACC x0, y, s00 = 0;                                                                       \
    DP_K_LOOP(TA, DP_NN1X1_STEP, DP_ADVANCE_A1)                                                \
    return s00;                                                                                \
  }

#define DP_DEFINE_NT_KERNELS(name, TA, TB, TACC) \
  DP_DEFINE_NT_BLOCK_KERNELS(name, TA, TB, TACC) DP_DEFINE_NT_ROW_KERNELS(name, TA, TB, TACC)
#define DP_DEFINE_NN_KERNELS(name, TA, TB, TACC) \
  DP_DEFINE_NN_BLOCK_KERNELS(name, TA, TB, TACC) DP_DEFINE_NN_ROW_KERNELS(name, TA, TB, TACC)

/* ---- Loops over the output ----
 * One row of A (arow, k elements) against n columns of B, running STORE once per column with out_j (the
 * column) and out_acc (its accumulator) in scope: NT reads column j from bt + j * k (also Conv's im2col
 * column against its filters), NN from b + j with rows of ldb elements. */
#define DP_ROW_STORE(j0, count, accs, STORE) \
  for (cr = 0; cr < (count); ++cr) {         \
    const int32_t out_j = (j0) + cr;         \
    const TACC_ROW out_acc = (accs)[cr];     \
    STORE                                    \
  }
#define DP_NT_ROW_LOOP(K, TACC, arow, bt, n, k, STORE)  \
  {                                                     \
    typedef TACC TACC_ROW;                              \
    int32_t jr, cr;                                     \
    TACC row_acc[8];                                    \
    for (jr = 0; jr < ((n) & ~(int32_t)7); jr += 8) {   \
      K##_nt1x8(arow, (bt) + jr * (k), k, row_acc);     \
      DP_ROW_STORE(jr, 8, row_acc, STORE)               \
    }                                                   \
    if ((n) & 4) {                                      \
      K##_nt1x4(arow, (bt) + jr * (k), k, row_acc);     \
      DP_ROW_STORE(jr, 4, row_acc, STORE)               \
    }                                                   \
    for (jr = (n) & ~(int32_t)3; jr < (n); ++jr) {      \
      row_acc[0] = K##_nt1x1(arow, (bt) + jr * (k), k); \
      DP_ROW_STORE(jr, 1, row_acc, STORE)               \
    }                                                   \
  }
#define DP_NN_ROW_LOOP(K, TACC, arow, b, n, k, ldb, STORE) \
  {                                                        \
    typedef TACC TACC_ROW;                                 \
    int32_t jr, cr;                                        \
    TACC row_acc[8];                                       \
    for (jr = 0; jr < ((n) & ~(int32_t)7); jr += 8) {      \
      K##_nn1x8(arow, (b) + jr, k, ldb, row_acc);          \
      DP_ROW_STORE(jr, 8, row_acc, STORE)                  \
    }                                                      \
    if ((n) & 4) {                                         \
      K##_nn1x4(arow, (b) + jr, k, ldb, row_acc);          \
      DP_ROW_STORE(jr, 4, row_acc, STORE)                  \
    }                                                      \
    for (jr = (n) & ~(int32_t)3; jr < (n); ++jr) {         \
      row_acc[0] = K##_nn1x1(arow, (b) + jr, k, ldb);      \
      DP_ROW_STORE(jr, 1, row_acc, STORE)                  \
    }                                                      \
  }

/* Loop skeletons shared by the plain, Gemm and requantized kernels. They expect in scope: a, b, y,
 * batch, m, n, k, a_offsets, b_offsets, and call EPI(bi, i, j, acc) for the value stored at y[bi][i][j]
 * (converted to TY). K is the prefix of the kernel's micro-kernels. Rows go three at a time (3x4 blocks,
 * then 3x1 for the last columns), the remaining rows one at a time. Every loop starts from an explicit
 * value (m3, n4, ...) rather than where the previous one stopped, which keeps GCC's loop analysis of
 * calls with constant shapes exact (it otherwise warns of overflows in iterations that never run). */
#define DP_MATMUL_LOOPS(LAYOUT, TA, TB, TACC, TY, K, EPI)                                  \
  {                                                                                        \
    const int32_t m3 = m - m % 3, n4 = n & ~(int32_t)3;                                    \
    int32_t bi, i, j, br, bc;                                                              \
    TACC acc[12];                                                                          \
    TY *ymat = y;                                                                          \
    for (bi = 0; bi < batch; ++bi, ymat += m * n) {                                        \
      const TA *amat = a + a_offsets[bi];                                                  \
      const TB *bmat = b + b_offsets[bi];                                                  \
      for (i = 0; i < m3; i += 3) {                                                        \
        const TA *arow = amat + i * k;                                                     \
        TY *yrow = ymat + i * n;                                                           \
        for (j = 0; j < n4; j += 4) {                                                      \
          LAYOUT##_BLOCK(K, 3x4, arow, bmat, j, acc);                                      \
          for (br = 0; br < 3; ++br)                                                       \
            for (bc = 0; bc < 4; ++bc)                                                     \
              yrow[br * n + j + bc] = (TY)(EPI(bi, i + br, j + bc, acc[br * 4 + bc]));     \
        }                                                                                  \
        for (j = n4; j < n; ++j) {                                                         \
          LAYOUT##_BLOCK(K, 3x1, arow, bmat, j, acc);                                      \
          for (br = 0; br < 3; ++br) yrow[br * n + j] = (TY)(EPI(bi, i + br, j, acc[br])); \
        }                                                                                  \
      }                                                                                    \
      for (i = m3; i < m; ++i) {                                                           \
        const TA *arow = amat + i * k;                                                     \
        TY *yrow = ymat + i * n;                                                           \
        LAYOUT##_ROW(K, TACC, arow, bmat, yrow[out_j] = (TY)(EPI(bi, i, out_j, out_acc));) \
      }                                                                                    \
    }                                                                                      \
  }
/* The micro-kernel calls of each layout: a block of columns from j, a whole row. */
#define DP_NT_BLOCK(K, RXC, arow, bmat, j, acc) K##_nt##RXC(arow, (bmat) + (j) * k, k, acc)
#define DP_NN_BLOCK(K, RXC, arow, bmat, j, acc) K##_nn##RXC(arow, (bmat) + (j), k, n, acc)
#define DP_NT_ROW(K, TACC, arow, bmat, STORE) DP_NT_ROW_LOOP(K, TACC, arow, bmat, n, k, STORE)
#define DP_NN_ROW(K, TACC, arow, bmat, STORE) DP_NN_ROW_LOOP(K, TACC, arow, bmat, n, k, n, STORE)

#define DP_MATMUL_NT_LOOPS(TA, TB, TACC, TY, K, EPI) DP_MATMUL_LOOPS(DP_NT, TA, TB, TACC, TY, K, EPI)
#define DP_MATMUL_NN_LOOPS(TA, TB, TACC, TY, K, EPI) DP_MATMUL_LOOPS(DP_NN, TA, TB, TACC, TY, K, EPI)

#define DP_MATMUL_PLAIN_EPI(bi, i, j, acc) (acc)
#define DP_MATMUL_RQ_EPI(bi, i, j, acc) \
  DP_MATMUL_RQ_AT(dp_acc_to_s32(acc), (bi) * rq_b + (i) * rq_r + (j) * rq_c)
#define DP_MATMUL_RQ_AT(acc, at) \
  dp_requantize_bounded(acc, mul[at], add[at], rq_mul_limit, shift, rq_shift_32, lo, hi)
/* The requantization parameters of a call. */
#define DP_MATMUL_RQ_SETUP(TA, TB)                                                                      \
  const int32_t rq_b = rq_strides[0], rq_r = rq_strides[1], rq_c = rq_strides[2];                       \
  const uint32_t rq_mul_limit = dp_requantize_mul_limit(k, DP_INT_MAGNITUDE(TA), DP_INT_MAGNITUDE(TB)); \
  const int32_t rq_shift_32 = shift < 31 ? shift : 31;

#define DP_MATMUL_PARAMS(TA, TB, TY)                                                          \
  const TA *a, const TB *b, TY *y, int32_t batch, int32_t m, int32_t n, int32_t k,            \
      const int32_t *a_offsets, const int32_t *b_offsets
#define DP_RQ_PARAMS \
  const int32_t *mul, const int32_t *add, const int32_t *rq_strides, int32_t shift, int32_t lo, int32_t hi

/* y[bi][i][j] = sum_t a[i][t] * bt[j][t]   (SCOPE: empty or static). */
#define DP_DEFINE_MATMUL_NT(SCOPE, name, TA, TB, TACC, TY)            \
  DP_BLOCKED_BEGIN                                                    \
  DP_DEFINE_NT_KERNELS(name, TA, TB, TACC)                            \
  SCOPE void name(DP_MATMUL_PARAMS(TA, TB, TY)) {                     \
    DP_SIMD_NT_MATMUL_PLAIN(TA, TB, TACC, TY)                         \
    DP_MATMUL_NT_LOOPS(TA, TB, TACC, TY, name, DP_MATMUL_PLAIN_EPI)   \
  }                                                                   \
  DP_BLOCKED_END

/* y[bi][i][j] = sum_t a[i][t] * b[t][j]. */
#define DP_DEFINE_MATMUL_NN(SCOPE, name, TA, TB, TACC, TY)            \
  DP_BLOCKED_BEGIN                                                    \
  DP_DEFINE_NN_KERNELS(name, TA, TB, TACC)                            \
  SCOPE void name(DP_MATMUL_PARAMS(TA, TB, TY)) {                     \
    DP_SIMD_NN_MATMUL_PLAIN(TA, TB, TACC, TY)                         \
    DP_MATMUL_NN_LOOPS(TA, TB, TACC, TY, name, DP_MATMUL_PLAIN_EPI)   \
  }                                                                   \
  DP_BLOCKED_END

/* Requantized: integer operands, uint32_t accumulator, TY an integer type holding [lo, hi]. */
#define DP_DEFINE_RQMATMUL_NT(SCOPE, name, TA, TB, TY)               \
  DP_BLOCKED_BEGIN                                                   \
  DP_DEFINE_NT_KERNELS(name, TA, TB, uint32_t)                       \
  DP_SIMD_RQMATMUL_HEAD(nt, SCOPE, name, TA, TB, TY)             \
  (DP_MATMUL_PARAMS(TA, TB, TY), DP_RQ_PARAMS) {                     \
    DP_MATMUL_RQ_SETUP(TA, TB)                                       \
    DP_SIMD_NT_RQMATMUL(TA, TB, TY)                                  \
    DP_MATMUL_NT_LOOPS(TA, TB, uint32_t, TY, name, DP_MATMUL_RQ_EPI) \
  }                                                                  \
  DP_BLOCKED_END

#define DP_DEFINE_RQMATMUL_NN(SCOPE, name, TA, TB, TY)               \
  DP_BLOCKED_BEGIN                                                   \
  DP_DEFINE_NN_KERNELS(name, TA, TB, uint32_t)                       \
  DP_SIMD_RQMATMUL_HEAD(nn, SCOPE, name, TA, TB, TY)             \
  (DP_MATMUL_PARAMS(TA, TB, TY), DP_RQ_PARAMS) {                     \
    DP_MATMUL_RQ_SETUP(TA, TB)                                       \
    DP_SIMD_NN_RQMATMUL(TA, TB, TY)                                  \
    DP_MATMUL_NN_LOOPS(TA, TB, uint32_t, TY, name, DP_MATMUL_RQ_EPI) \
  }                                                                  \
  DP_BLOCKED_END

/* Compiled variants (matmul.c). */
void dp_matmul_nt_s8_s8_s32(DP_MATMUL_PARAMS(int8_t, int8_t, int32_t));
void dp_matmul_nn_s8_s8_s32(DP_MATMUL_PARAMS(int8_t, int8_t, int32_t));
void dp_matmul_nt_u8_s8_s32(DP_MATMUL_PARAMS(uint8_t, int8_t, int32_t));
void dp_matmul_nn_u8_s8_s32(DP_MATMUL_PARAMS(uint8_t, int8_t, int32_t));
void dp_matmul_nt_f32_f32_f32(DP_MATMUL_PARAMS(float, float, float));
void dp_matmul_nn_f32_f32_f32(DP_MATMUL_PARAMS(float, float, float));

void dp_rqmatmul_nt_s8_s8_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_s8_s8_s8(DP_MATMUL_PARAMS(int8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nt_s8_s8_u8(DP_MATMUL_PARAMS(int8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_s8_s8_u8(DP_MATMUL_PARAMS(int8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nt_u8_s8_s8(DP_MATMUL_PARAMS(uint8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_u8_s8_s8(DP_MATMUL_PARAMS(uint8_t, int8_t, int8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nt_u8_s8_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, uint8_t), DP_RQ_PARAMS);
void dp_rqmatmul_nn_u8_s8_u8(DP_MATMUL_PARAMS(uint8_t, int8_t, uint8_t), DP_RQ_PARAMS);

/* What the generated code calls for the compiled requantized products: the compiled variant, or (CORE-V)
 * the row kernels straight away when the call's arguments meet their conditions (DP_SIMD_RQ_ROWS_PICK,
 * inlined here, where the arguments are mostly constants). */
#define DP_DEFINE_RQMATMUL_CALL(LAYOUT, name, TA, TB, TY)                                       \
  static inline void name##_call(DP_MATMUL_PARAMS(TA, TB, TY), DP_RQ_PARAMS) {                \
    DP_SIMD_RQ_ROWS_PICK(LAYOUT, TA, TB, TY)                                                  \
    name(a, b, y, batch, m, n, k, a_offsets, b_offsets, mul, add, rq_strides, shift, lo, hi); \
  }
DP_DEFINE_RQMATMUL_CALL(nt, dp_rqmatmul_nt_s8_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_CALL(nn, dp_rqmatmul_nn_s8_s8_s8, int8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_CALL(nt, dp_rqmatmul_nt_s8_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_CALL(nn, dp_rqmatmul_nn_s8_s8_u8, int8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_CALL(nt, dp_rqmatmul_nt_u8_s8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_CALL(nn, dp_rqmatmul_nn_u8_s8_s8, uint8_t, int8_t, int8_t)
DP_DEFINE_RQMATMUL_CALL(nt, dp_rqmatmul_nt_u8_s8_u8, uint8_t, int8_t, uint8_t)
DP_DEFINE_RQMATMUL_CALL(nn, dp_rqmatmul_nn_u8_s8_u8, uint8_t, int8_t, uint8_t)

#endif
