/* int8 NT matrix-product tiles for Arm cores with MVE (Helium, e.g. Cortex-M55); see matmul_arm.h.
 *
 * VMLADAVA multiplies 16 byte pairs and adds all products to a 32-bit general-purpose register, so an
 * output is a chain of VMLADAVA over contiguous 16-byte chunks of its A row and bt row. Blocks of 3 rows
 * by 2 columns keep 6 accumulators (VMLADAVA accumulates only into even registers, of which 7 are free)
 * and load 5 vectors per 6 instructions of 16 MACs; the K tail is one predicated step (zeroing loads, so
 * lanes past k read nothing and add 0).
 *
 * uint8 A: VMLADAVA needs operands of one signedness, so bt bytes are flipped to b + 128 (an unsigned
 * byte, XOR 0x80) and the unsigned products corrected by -128 * sum(a row), which seeds the row's
 * accumulators: sum a*b = sum a*(b+128) - 128 * sum a, exact modulo 2^32. */
#include "kernels/matmul_arm.h"

#ifdef DP_ARM_MVE
#include <arm_mve.h>
#include <stddef.h>

/* Operations of the two A signednesses: loads of A (LDA), of bt as MAC operand (LDB), the MAC, and the
 * zeroing predicated loads of the K tail (_Z, predicate `tail`). */
#define DP_MVE_S8_LDA(p) vldrbq_s8(p)
#define DP_MVE_S8_LDB(p) vldrbq_s8(p)
#define DP_MVE_S8_MAC(s, x, y) (uint32_t) vmladavaq_s8((int32_t)(s), x, y)
#define DP_MVE_U8_LDA(p) vldrbq_u8(p)
#define DP_MVE_U8_LDB(p) veorq_u8(vldrbq_u8((const uint8_t *)(p)), flip)
#define DP_MVE_U8_MAC(s, x, y) vmladavaq_u8(s, x, y)
#define DP_MVE_S8_LDA_Z(p) vldrbq_z_s8(p, tail)
#define DP_MVE_S8_LDB_Z(p) vldrbq_z_s8(p, tail)
#define DP_MVE_U8_LDA_Z(p) vldrbq_z_u8(p, tail)
#define DP_MVE_U8_LDB_Z(p) veorq_u8(vldrbq_z_u8((const uint8_t *)(p), tail), flip)

/* One K step of a block: rows x0.. of A against columns y0.. of bt, accumulators s<row><col>. */
#define DP_MVE_STEP3X2(T, LD_A, LD_B)                                                 \
  x0 = LD_A(a0), x1 = LD_A(a1), x2 = LD_A(a2), y0 = LD_B(b0), y1 = LD_B(b1);          \
  s00 = T##_MAC(s00, x0, y0), s10 = T##_MAC(s10, x1, y0), s20 = T##_MAC(s20, x2, y0); \
  s01 = T##_MAC(s01, x0, y1), s11 = T##_MAC(s11, x1, y1), s21 = T##_MAC(s21, x2, y1);
#define DP_MVE_STEP3X1(T, LD_A, LD_B)                         \
  x0 = LD_A(a0), x1 = LD_A(a1), x2 = LD_A(a2), y0 = LD_B(b0); \
  s00 = T##_MAC(s00, x0, y0), s10 = T##_MAC(s10, x1, y0), s20 = T##_MAC(s20, x2, y0);
#define DP_MVE_STEP1X4(T, LD_A, LD_B)                                                 \
  x0 = LD_A(a0), y0 = LD_B(b0), y1 = LD_B(b1), y2 = LD_B(b2), y3 = LD_B(b3);          \
  s00 = T##_MAC(s00, x0, y0), s01 = T##_MAC(s01, x0, y1), s02 = T##_MAC(s02, x0, y2); \
  s03 = T##_MAC(s03, x0, y3);
#define DP_MVE_STEP1X1(T, LD_A, LD_B) \
  x0 = LD_A(a0), y0 = LD_B(b0);       \
  s00 = T##_MAC(s00, x0, y0);

#define DP_MVE_ADVANCE_3X2(d) a0 += (d), a1 += (d), a2 += (d), b0 += (d), b1 += (d);
#define DP_MVE_ADVANCE_3X1(d) a0 += (d), a1 += (d), a2 += (d), b0 += (d);
#define DP_MVE_ADVANCE_1X1(d) a0 += (d), b0 += (d);

/* The tail of a block: one predicated step for the k % 16 rest (zeroing loads: lanes past k add 0). */
#define DP_MVE_TAIL(T, STEP)      \
  if (rest) {                     \
    STEP(T, T##_LDA_Z, T##_LDB_Z) \
  }
/* The blocks outside the hot loops (3x1, 1x1): full steps in C from the seeds, then the tail. */
#define DP_MVE_C_K_LOOP(T, STEP, ADVANCE)   \
  {                                         \
    int32_t i;                              \
    for (i = steps; i > 0; --i) {           \
      STEP(T, T##_LDA, T##_LDB) ADVANCE(16) \
    }                                       \
    DP_MVE_TAIL(T, STEP)                    \
  }
/* Full steps of the 3x2 and 1x4 blocks in assembly: GCC's allocation of the accumulators (VMLADAVA wants
 * even registers) spilled pointers inside the loop. The first step uses VMLADAV, which starts the sums
 * (no zeroing of six registers per block), the others VMLADAVA in a low-overhead loop (counter in lr).
 * Needs steps >= 1. SUFFIX is s8 or u8; FLIP flips the bt vectors of uint8 (0x80 in q5, set by SETUP). */
#define DP_MVE_BODY_1X4(MAC, FLIP)                                               \
  "vldrb.8 q0, [%[a0]], #16\n\t"                                                 \
  "vldrb.8 q1, [%[b0]], #16\n\t"                                                 \
  "vldrb.8 q2, [%[b1]], #16\n\t"                                                 \
  "vldrb.8 q3, [%[b2]], #16\n\t"                                                 \
  "vldrb.8 q4, [%[b3]], #16\n\t" FLIP("q1") FLIP("q2") FLIP("q3") FLIP("q4") MAC \
      " %[s00], q0, q1\n\t" MAC " %[s01], q0, q2\n\t" MAC " %[s02], q0, q3\n\t" MAC " %[s03], q0, q4\n\t"
#define DP_MVE_ASM_STEPS(BODY, SUFFIX, SETUP, FLIP, OUTPUTS)                                     \
  {                                                                                              \
    register int32_t count __asm("lr") = steps - 1;                                              \
    __asm volatile(SETUP BODY("vmladav." SUFFIX, FLIP) "wls lr, lr, 2f\n"                      \
                   "1:\n\t" BODY("vmladava." SUFFIX, FLIP) "le lr, 1b\n"                       \
                   "2:"                                                                        \
                   : OUTPUTS, "+r"(count)                                                      \
                   :                                                                           \
                   : "q0", "q1", "q2", "q3", "q4", "q5", "memory"); \
  }
#define DP_MVE_OUTPUTS_1X4                                                                                  \
  [s00] "=&Te"(s00), [s01] "=&Te"(s01), [s02] "=&Te"(s02), [s03] "=&Te"(s03), [a0] "+r"(a0), [b0] "+r"(b0), \
      [b1] "+r"(b1), [b2] "+r"(b2), [b3] "+r"(b3)
#define DP_MVE_NO_FLIP(q) ""
#define DP_MVE_FLIP(q) "veor " q ", " q ", q5\n\t"
#define DP_MVE_S8_STEPS_1X4 DP_MVE_ASM_STEPS(DP_MVE_BODY_1X4, "s8", "", DP_MVE_NO_FLIP, DP_MVE_OUTPUTS_1X4)
#define DP_MVE_U8_STEPS_1X4 \
  DP_MVE_ASM_STEPS(DP_MVE_BODY_1X4, "u8", "vmov.i8 q5, #0x80\n\t", DP_MVE_FLIP, DP_MVE_OUTPUTS_1X4)

/* The 3x2 blocks of a band of three rows in one assembly routine: per block, the row pointers from the
 * state, the first full step with VMLADAV (starting the sums), the others in a low-overhead loop, the
 * predicated k % 16 tail, the uint8 seeds (SEEDS), six stores. GCC's code for the same spilled and moved
 * registers for ~45 instructions per block; this takes ~25. Accumulators s00 s01 s10 s11 s20 s21 in
 * r0 r2 r4 r6 r8 r10 (VMLADAVA writes even registers), rows of A in r1 r3 r5, columns of bt in r7 r9,
 * the counter in lr, the state's address in r12 (also kept at [sp, #4]; r7, the frame pointer of
 * unoptimized builds, is saved and restored). Needs pairs >= 1 and steps >= 1. */
struct dp_mve_band {
  const void *a;        /* row 0 of the band */
  int32_t k;            /* row length (bytes) */
  const int8_t *next;   /* the next block's first bt column */
  uint32_t *acc;        /* the next block's accumulators, row 0 */
  int32_t stride_bytes; /* between accumulator rows */
  int32_t pairs;        /* blocks left */
  int32_t steps_1;      /* full 16-byte steps - 1 */
  int32_t rest;         /* k % 16 */
  uint32_t seed[3];     /* uint8 row seeds */
};
/* LDRD reads a with k, and acc with stride_bytes. */
typedef char dp_mve_band_pairs_adjacent[offsetof(struct dp_mve_band, k) == offsetof(struct dp_mve_band, a) + 4 &&
                                                offsetof(struct dp_mve_band, stride_bytes) ==
                                                    offsetof(struct dp_mve_band, acc) + 4
                                            ? 1
                                            : -1];
/* The tail's predicated loads (a VPST block covers at most four instructions). */
#define DP_MVE_TAIL_LOADS_3X2 \
  "vpstttt\n\t"               \
  "vldrbt.8 q0, [r1]\n\t"     \
  "vldrbt.8 q1, [r3]\n\t"     \
  "vldrbt.8 q2, [r5]\n\t"     \
  "vldrbt.8 q3, [r7]\n\t"     \
  "vpst\n\t"                  \
  "vldrbt.8 q4, [r9]\n\t"
/* The six MACs of a step (columns in q3 q4 flipped first for uint8). */
#define DP_MVE_MAC_3X2(MAC, FLIP)                                  \
  FLIP("q3") FLIP("q4")                                            \
  MAC " r0, q0, q3\n\t" MAC " r4, q1, q3\n\t" MAC " r8, q2, q3\n\t" \
  MAC " r2, q0, q4\n\t" MAC " r6, q1, q4\n\t" MAC " r10, q2, q4\n\t"
#define DP_MVE_STEP_3X2(MAC, FLIP) \
  "vldrb.8 q0, [r1], #16\n\t"      \
  "vldrb.8 q1, [r3], #16\n\t"      \
  "vldrb.8 q2, [r5], #16\n\t"      \
  "vldrb.8 q3, [r7], #16\n\t"      \
  "vldrb.8 q4, [r9], #16\n\t" DP_MVE_MAC_3X2(MAC, FLIP)
#define DP_MVE_NO_SEEDS ""
#define DP_MVE_SEEDS                  \
  "ldr r11, [r12, #%c[seed]]\n\t"     \
  "add r0, r11\n\t"                   \
  "add r2, r11\n\t"                   \
  "ldr r11, [r12, #%c[seed] + 4]\n\t" \
  "add r4, r11\n\t"                   \
  "add r6, r11\n\t"                   \
  "ldr r11, [r12, #%c[seed] + 8]\n\t" \
  "add r8, r11\n\t"                   \
  "add r10, r11\n\t"
#define DP_MVE_PAIRS_ASM(SUFFIX, SETUP, FLIP, SEEDS)                                                    \
  {                                                                                                     \
    register struct dp_mve_band *state __asm("r12") = &band;                                            \
    __asm volatile(SETUP "push {r7, r12}\n"                                                           \
                   "1:\n\t"                                                                       \
                   "ldr r12, [sp, #4]\n\t"                                                            \
                   "ldrd r1, r11, [r12, #%c[a]]\n\t"                                              \
                   "add r3, r1, r11\n\t"                                                          \
                   "add r5, r3, r11\n\t"                                                          \
                   "ldr r7, [r12, #%c[next]]\n\t"                                                 \
                   "add r9, r7, r11\n\t"                                                          \
                   "add r11, r9, r11\n\t"                                                         \
                   "str r11, [r12, #%c[next]]\n\t"                                                \
                   "ldr lr, [r12, #%c[steps_1]]\n\t" DP_MVE_STEP_3X2("vmladav." SUFFIX, FLIP)     \
                   "wls lr, lr, 3f\n"                                                             \
                   "2:\n\t" DP_MVE_STEP_3X2("vmladava." SUFFIX, FLIP) "le lr, 2b\n"               \
                   "3:\n\t"                                                                       \
                   "ldr r11, [r12, #%c[rest]]\n\t"                                                \
                   "cmp r11, #0\n\t"                                                              \
                   "beq 4f\n\t"                                                                   \
                   "vctp.8 r11\n\t"                                                               \
                   DP_MVE_TAIL_LOADS_3X2 DP_MVE_MAC_3X2("vmladava." SUFFIX, FLIP)                  \
                   "4:\n\t" SEEDS                                                                 \
                   "ldrd r1, r3, [r12, #%c[acc]]\n\t"                                             \
                   "strd r0, r2, [r1]\n\t"                                                        \
                   "add r5, r1, r3\n\t"                                                           \
                   "strd r4, r6, [r5]\n\t"                                                        \
                   "add r5, r5, r3\n\t"                                                           \
                   "strd r8, r10, [r5]\n\t"                                                       \
                   "add r1, r1, #8\n\t"                                                           \
                   "str r1, [r12, #%c[acc]]\n\t"                                                  \
                   "ldr r11, [r12, #%c[pairs]]\n\t"                                               \
                   "subs r11, r11, #1\n\t"                                                        \
                   "str r11, [r12, #%c[pairs]]\n\t"                                               \
                   "bne 1b\n\t"                                                                   \
                   "pop {r7, r12}"                                                                    \
                   : "+r"(state)                                                                  \
                   : [a] "i"(offsetof(struct dp_mve_band, a)),                                    \
                     [next] "i"(offsetof(struct dp_mve_band, next)),                              \
                     [acc] "i"(offsetof(struct dp_mve_band, acc)),                                \
                     [pairs] "i"(offsetof(struct dp_mve_band, pairs)),                            \
                     [steps_1] "i"(offsetof(struct dp_mve_band, steps_1)),                        \
                     [rest] "i"(offsetof(struct dp_mve_band, rest)),                              \
                     [seed] "i"(offsetof(struct dp_mve_band, seed))                               \
                   : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", \
                     "q0", "q1", "q2", "q3", "q4", "q5", "cc", "memory"); \
  }
#define DP_MVE_S8_PAIRS DP_MVE_PAIRS_ASM("s8", "", DP_MVE_NO_FLIP, DP_MVE_NO_SEEDS)
#define DP_MVE_U8_PAIRS DP_MVE_PAIRS_ASM("u8", "vmov.i8 q5, #0x80\n\t", DP_MVE_FLIP, DP_MVE_SEEDS)

/* Adding row seeds to accumulators: uint8 only (the correction); int8 rows start from 0. */
#define DP_MVE_S8_SEED(s, v)
#define DP_MVE_U8_SEED(s, v) s += (v);
#define DP_MVE_S8_SEED_OF(seed, r) 0u
#define DP_MVE_U8_SEED_OF(seed, r) seed[r]

/* The kernels of one A type (T the operation prefix, TA its element, VA/VB the vector types of A and of the
 * bt operand): a band of three rows, or one row, against all columns. seed[r] is what row r's sums start
 * from (uint8 only), flip the bt byte flip of uint8 (unused for int8). */
#define DP_MVE_DEFINE_BANDS(T, TA, VA, VB)                                                                           \
  /* 3x2 blocks, 3x1 for an odd last column. */                                                                      \
  static void T##_band3(const TA *a, const int8_t *bt, int32_t cols, int32_t k, const uint32_t *seed, uint32_t *acc, \
                        int32_t stride, VB flip) {                                                                   \
    const int32_t steps = k >> 4, rest = k & 15;                                                                     \
    const mve_pred16_t tail = vctp8q((uint32_t)rest);                                                                \
    const int8_t *next = bt;                                                                                         \
    uint32_t *acc1 = acc + stride, *acc2 = acc1 + stride;                                                            \
    int32_t j;                                                                                                       \
    VA x0, x1, x2;                                                                                                   \
    VB y0, y1;                                                                                                       \
    (void)flip, (void)tail, (void)seed;                                                                              \
    if (steps && cols >= 2) {                                                                                        \
      struct dp_mve_band band;                                                                                       \
      band.a = a, band.k = k, band.next = bt, band.acc = acc, band.stride_bytes = 4 * stride;                        \
      band.pairs = cols >> 1, band.steps_1 = steps - 1, band.rest = rest;                                            \
      band.seed[0] = T##_SEED_OF(seed, 0), band.seed[1] = T##_SEED_OF(seed, 1);                                      \
      band.seed[2] = T##_SEED_OF(seed, 2);                                                                           \
      T##_PAIRS next = band.next, acc = band.acc, acc1 = acc + stride, acc2 = acc1 + stride;                         \
    } else                                                                                                           \
      for (j = cols >> 1; j > 0; --j) {                                                                              \
        const TA *a0 = a, *a1 = a0 + k, *a2 = a1 + k;                                                                \
        const int8_t *b0 = next, *b1 = b0 + k;                                                                       \
        uint32_t s00 = T##_SEED_OF(seed, 0), s01 = s00, s10 = T##_SEED_OF(seed, 1), s11 = s10;                       \
        uint32_t s20 = T##_SEED_OF(seed, 2), s21 = s20;                                                              \
        next = b1 + k;                                                                                               \
        DP_MVE_C_K_LOOP(T, DP_MVE_STEP3X2, DP_MVE_ADVANCE_3X2)                                                       \
        acc[0] = s00, acc[1] = s01, acc1[0] = s10, acc1[1] = s11, acc2[0] = s20, acc2[1] = s21;                      \
        acc += 2, acc1 += 2, acc2 += 2;                                                                              \
      }                                                                                                              \
    if (cols & 1) {                                                                                                  \
      const TA *a0 = a, *a1 = a0 + k, *a2 = a1 + k;                                                                  \
      const int8_t *b0 = next;                                                                                       \
      uint32_t s00 = T##_SEED_OF(seed, 0), s10 = T##_SEED_OF(seed, 1), s20 = T##_SEED_OF(seed, 2);                   \
      DP_MVE_C_K_LOOP(T, DP_MVE_STEP3X1, DP_MVE_ADVANCE_3X1)                                                         \
      acc[0] = s00, acc1[0] = s10, acc2[0] = s20;                                                                    \
    }                                                                                                                \
  }                                                                                                                  \
  /* 1x4 blocks, then 1x1. */                                                                                        \
  static void T##_row(const TA *a, const int8_t *bt, int32_t cols, int32_t k, const uint32_t *seed, uint32_t *acc,   \
                      VB flip) {                                                                                     \
    const int32_t steps = k >> 4, rest = k & 15;                                                                     \
    const mve_pred16_t tail = vctp8q((uint32_t)rest);                                                                \
    const int8_t *next = bt;                                                                                         \
    int32_t j;                                                                                                       \
    VA x0;                                                                                                           \
    VB y0, y1, y2, y3;                                                                                               \
    (void)flip, (void)tail, (void)seed;                                                                              \
    for (j = cols >> 2; j > 0; --j) {                                                                                \
      const TA *a0 = a;                                                                                              \
      const int8_t *b0 = next, *b1 = b0 + k, *b2 = b1 + k, *b3 = b2 + k;                                             \
      uint32_t s00 = 0, s01 = 0, s02 = 0, s03 = 0;                                                                   \
      next = b3 + k;                                                                                                 \
      if (steps)                                                                                                     \
        T##_STEPS_1X4 DP_MVE_TAIL(T, DP_MVE_STEP1X4) T##_SEED(s00, seed[0]) T##_SEED(s01, seed[0])                   \
            T##_SEED(s02, seed[0]) T##_SEED(s03, seed[0]) acc[0] = s00,                                              \
                                                          acc[1] = s01, acc[2] = s02, acc[3] = s03;                  \
      acc += 4;                                                                                                      \
    }                                                                                                                \
    for (j = cols & 3; j > 0; --j) {                                                                                 \
      const TA *a0 = a;                                                                                              \
      const int8_t *b0 = next;                                                                                       \
      uint32_t s00 = T##_SEED_OF(seed, 0);                                                                           \
      next = b0 + k;                                                                                                 \
      DP_MVE_C_K_LOOP(T, DP_MVE_STEP1X1, DP_MVE_ADVANCE_1X1)                                                         \
      *acc++ = s00;                                                                                                  \
    }                                                                                                                \
  }                                                                                                                  \
  /* A tile: bands of three rows, then single rows. */                                                               \
  static void T##_tile(const TA *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, const uint32_t *seed,   \
                       uint32_t *acc, int32_t stride, VB flip) {                                                     \
    int32_t i;                                                                                                       \
    for (i = 0; i + 3 <= rows; i += 3) T##_band3(a + i * k, bt, cols, k, seed + i, acc + i * stride, stride, flip);  \
    for (; i < rows; ++i) T##_row(a + i * k, bt, cols, k, seed + i, acc + i * stride, flip);                         \
  }

DP_MVE_DEFINE_BANDS(DP_MVE_S8, int8_t, int8x16_t, int8x16_t)
DP_MVE_DEFINE_BANDS(DP_MVE_U8, uint8_t, uint8x16_t, uint8x16_t)

void dp_arm_nt_tile_s8(const int8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                       int32_t acc_stride) {
  DP_MVE_S8_tile(a, bt, rows, cols, k, NULL, acc, acc_stride, vdupq_n_s8(0));
}

/* -128 * sum of a row (mod 2^32): the seed of its accumulators against flipped bt bytes. */
static uint32_t dp_mve_u8_row_seed(const uint8_t *row, int32_t k) {
  uint32_t sum = 0;
  int32_t t;
  for (t = 0; t < k; t += 16) sum = vaddvaq_u8(sum, vldrbq_z_u8(row + t, vctp8q((uint32_t)(k - t))));
  return 0u - (sum << 7);
}

void dp_arm_nt_tile_u8(const uint8_t *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,
                       int32_t acc_stride) {
  uint32_t seed[DP_ARM_TILE_ROWS];
  int32_t i0, i;
  for (i0 = 0; i0 < rows; i0 += DP_ARM_TILE_ROWS) {
    const int32_t band = rows - i0 < DP_ARM_TILE_ROWS ? rows - i0 : DP_ARM_TILE_ROWS;
    for (i = 0; i < band; ++i) seed[i] = dp_mve_u8_row_seed(a + (i0 + i) * k, k);
    DP_MVE_U8_tile(a + i0 * k, bt, band, cols, k, seed, acc + i0 * acc_stride, acc_stride, vdupq_n_u8(0x80));
  }
}

/* Four outputs at a time: v * mul + add, an arithmetic shift, the clamp, the low bytes stored; full
 * vectors in a low-overhead loop, the last cols % 4 predicated. */
#define DP_MVE_REQUANTIZE_ROW(MUL_ADD, LOAD_PARAMS, LOAD_PARAMS_Z)         \
  {                                                                        \
    const mve_pred16_t last = vctp32q((uint32_t)cols & 3u);                \
    int32_t c;                                                             \
    for (c = 0; c + 4 <= cols; c += 4) {                                   \
      int32x4_t v = vreinterpretq_s32_u32(vldrwq_u32(acc + c));            \
      LOAD_PARAMS                                                          \
      v = vminq_s32(vmaxq_s32(vshlq_r_s32(MUL_ADD, -shift_32), vlo), vhi); \
      vstrbq_s32((int8_t *)(y + c), v);                                    \
    }                                                                      \
    if (cols & 3) {                                                        \
      int32x4_t v = vreinterpretq_s32_u32(vldrwq_z_u32(acc + c, last));    \
      LOAD_PARAMS_Z                                                        \
      v = vminq_s32(vmaxq_s32(vshlq_r_s32(MUL_ADD, -shift_32), vlo), vhi); \
      vstrbq_p_s32((int8_t *)(y + c), v, last);                            \
    }                                                                      \
  }

void dp_arm_requantize_tile(const uint32_t *acc, int32_t acc_stride, int32_t rows, int32_t cols, uint8_t *y,
                            int32_t y_stride, const int32_t *mul, const int32_t *add, int32_t rq_r, int32_t rq_c,
                            int32_t shift_32, int32_t lo, int32_t hi) {
  const int32x4_t vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);
  int32_t r;
  for (r = 0; r < rows; ++r, acc += acc_stride, y += y_stride, mul += rq_r, add += rq_r) {
    if (rq_c) {
      int32x4_t m, d;
      DP_MVE_REQUANTIZE_ROW(vaddq_s32(vmulq_s32(v, m), d), m = vldrwq_s32(mul + c); d = vldrwq_s32(add + c);
                            , m = vldrwq_z_s32(mul + c, last); d = vldrwq_z_s32(add + c, last);)
    } else {
      const int32x4_t m = vdupq_n_s32(mul[0]);
      const int32_t d = add[0];
      DP_MVE_REQUANTIZE_ROW(vmlasq_n_s32(v, m, d), , )
    }
  }
}
#endif
