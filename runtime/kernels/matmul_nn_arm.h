/* Arm Cortex-M kernels for the int8 products of the NN layout (B given as b[k][n], a run-time operand:
 * MatMul with a run-time B, Gemm without transB on constant-free operands, attention's P V against the
 * value cache), chosen like the NT kernels of matmul_arm.h:
 *   MVE (Cortex-M55): matmul_nn_arm_mve.c, vectors of four output columns, VMLA by an A scalar;
 *   DSP without MVE (Cortex-M4, M7, M33): matmul_nn_arm_dsp.c, SMLAD on pairs of B rows.
 * As for NT, the Arm code computes tiles of 32-bit accumulators (wrapping, exactly the generic sums) and
 * the generic epilogues of matmul.h and gemm.h (or dp_arm_requantize_tile) store them; the hooks apply
 * when A is int8 or uint8, B int8 and the accumulator uint32_t, and expand to nothing elsewhere. */
#ifndef DP_MATMUL_NN_ARM_H
#define DP_MATMUL_NN_ARM_H

#include "kernels/matmul_arm.h"

#ifdef DP_ARM_NT

/* acc[r * acc_stride + c] = sum over t < k of a[r * k + t] * b[t * ldb + c], modulo 2^32, for r < rows and
 * c < cols (rows, cols and k of any size). */
void dp_arm_nn_tile_s8(const int8_t *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,
                       uint32_t *acc, int32_t acc_stride);
void dp_arm_nn_tile_u8(const uint8_t *a, const int8_t *b, int32_t ldb, int32_t rows, int32_t cols, int32_t k,
                       uint32_t *acc, int32_t acc_stride);

/* Whether the hooks take a product of shape (m, n, k): small ones, where the setup of the Arm code
 * (panels, predicates, gather offsets, calls, the tile epilogue) costs more than it saves, stay with the
 * generic register blocks. Measured on QEMU (instructions, Arm code against generic): with MVE,
 * [16,4] x [4,4] (the rotary embedding of heads of 4) 2160 against 1151, [16,8] x [8,4] 2165 against
 * 2305, [1,4] x [4,256] 1212 against 4497; with the DSP code, [16,8] x [8,4] 3161 against 2587,
 * [16,16] x [16,4] 4048 against 4151, [4,16] x [16,64] 11516 against 15763, [1,32] x [32,4] 453 against
 * 604, and attention's requantized P V per head of 4 over 6 to 28 cached rows (fortunes decode on M4)
 * lost about 100 instructions per call to the tile epilogue. */
#ifdef DP_ARM_MVE
#define DP_ARM_NN_SHAPE_PAYS(m, n, k) ((k) >= 8 || (n) >= 8)
#else
#define DP_ARM_NN_SHAPE_PAYS(m, n, k) ((k) >= 32 || ((k) >= 16 && (n) >= 16))
#endif
#define DP_ARM_NN_APPLIES(TA, TB, TACC) (DP_ARM_NT_TYPES(TA, TB, TACC) && DP_ARM_NN_SHAPE_PAYS(m, n, k))

#define DP_ARM_NN_TILE(TA, a, b, ldb, rows, cols, k, acc, stride)                                                  \
  (DP_ARM_IS_S8(TA) ? dp_arm_nn_tile_s8((const int8_t *)(const void *)(a), (const int8_t *)(const void *)(b), ldb, \
                                        rows, cols, k, acc, stride)                                               \
                    : dp_arm_nn_tile_u8((const uint8_t *)(const void *)(a), (const int8_t *)(const void *)(b),    \
                                        ldb, rows, cols, k, acc, stride))

/* The tile of matmul_tiled.h's skeletons: columns j0.. of b start at element j0 of its rows. */
#define DP_ARM_NN_TILE_AT(TA, arows, bmat, j0, rows, cols, acc, stride) \
  DP_ARM_NN_TILE(TA, arows, (bmat) + (j0), n, rows, cols, k, acc, stride)

/* The body of an NN kernel over (a, b, y, batch, m, n, k, a_offsets, b_offsets) when the types and shape
 * qualify: tiles of accumulators, each stored by STORE_TILE, then return. */
#define DP_ARM_NN_MATMUL(TA, TB, TACC, TY, STORE_TILE)                                               \
  if (DP_ARM_NN_APPLIES(TA, TB, TACC)) {                                                             \
    DP_TILED_MATMUL(TA, TB, TY, DP_ARM_NN_TILE_AT, DP_ARM_TILE_ROWS, DP_ARM_TILE_COLS, STORE_TILE)   \
    return;                                                                                          \
  }

/* MatMul: 32-bit integer outputs receive the accumulators directly. */
#define DP_ARM_NN_MATMUL_PLAIN(TA, TB, TACC, TY)                            \
  if (DP_ARM_NN_APPLIES(TA, TB, TACC) && DP_TILED_IS_32BIT_INT(TY)) {       \
    DP_TILED_MATMUL_DIRECT(TA, DP_ARM_NN_TILE_AT)                           \
    return;                                                                 \
  }                                                                         \
  DP_ARM_NN_MATMUL(TA, TB, TACC, TY, DP_ARM_STORE_EPI(TY, DP_MATMUL_PLAIN_EPI))

/* Requantized MatMul (after DP_MATMUL_RQ_SETUP), stored as DP_ARM_NT_RQMATMUL stores (the parameters
 * are checked only for products the hooks take). */
#define DP_ARM_NN_RQMATMUL(TA, TB, TY)                                                     \
  if (DP_ARM_NN_APPLIES(TA, TB, uint32_t)) {                                               \
    DP_ARM_RQ_TILE_FLAG(TY)                                                                \
    DP_ARM_NN_MATMUL(TA, TB, uint32_t, TY, DP_ARM_STORE_RQ(TY, DP_ARM_TILE_COLS))          \
  }

/* Gemm (inside DP_DEFINE_GEMM_NN). */
#define DP_ARM_NN_GEMM(TA, TB, TACC, TY) DP_ARM_NN_MATMUL(TA, TB, TACC, TY, DP_ARM_STORE_EPI(TY, DP_GEMM_EPI))

#else /* generic targets */
#define DP_ARM_NN_MATMUL_PLAIN(TA, TB, TACC, TY)
#define DP_ARM_NN_RQMATMUL(TA, TB, TY)
#define DP_ARM_NN_GEMM(TA, TB, TACC, TY)
#endif

#endif
