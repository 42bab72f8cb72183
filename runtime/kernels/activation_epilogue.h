/* Float products that apply an activation to every output as they store it (deeploy's activation fusion:
 * the activation node is gone and its buffer with it). Each is the kernel of conv.h, gemm.h or matmul.h of
 * the same name without _ACT, over the same loops (so the same sums), with two more parameters last,
 * act_p and act_q, handed to the activation ACT: one of the dp_act_* functions below, which compute what
 * unary.h's kernels of the unfused activations compute (parameters an activation lacks are passed as 0).
 *   DP_DEFINE_CONV_IM2COL_ACT, DP_DEFINE_CONV_DIRECT_ACT  (SCOPE, name, TX, TW, TACC, TY, ACT)
 *   DP_DEFINE_GEMM_NT_ACT, DP_DEFINE_GEMM_NN_ACT          (SCOPE, name, TA, TB, TACC, TY, ACT)
 *   DP_DEFINE_MATMUL_NT_ACT, DP_DEFINE_MATMUL_NN_ACT      (SCOPE, name, TA, TB, TACC, TY, ACT)
 * The activations are float functions, for float outputs. The SIMD tiles of the products (the DP_SIMD_*
 * NT/NN hooks) serve int8 operands and store without this epilogue, so these kernels run the generic
 * loops; the conv hooks that take the epilogue as an argument get the activated one. */
#ifndef DP_ACTIVATION_EPILOGUE_H
#define DP_ACTIVATION_EPILOGUE_H

#include "kernels/conv.h"
#include "kernels/gemm.h"
#include "kernels/matmul.h"
#include "kernels/unary.h"

static inline float dp_act_relu(float x, float p, float q) {
  (void)p, (void)q;
  return dp_relu_f(x);
}
static inline float dp_act_clip(float x, float lo, float hi) { return DP_CLIP(x, lo, hi); }
static inline float dp_act_leaky_relu(float x, float alpha, float q) {
  (void)q;
  return dp_leaky_relu_f(x, alpha);
}
static inline float dp_act_hard_sigmoid(float x, float alpha, float beta) { return dp_hard_sigmoid_f(x, alpha, beta); }
static inline float dp_act_hard_swish(float x, float p, float q) {
  (void)p, (void)q;
  return dp_hard_swish_f(x);
}
static inline float dp_act_sigmoid(float x, float p, float q) {
  (void)p, (void)q;
  return dp_sigmoid_f(x);
}

#define DP_ACT_PARAMS float act_p, float act_q
/* The activation as a constant function pointer, which the compiler calls directly (and inlines). */
#define DP_ACT_SETUP(ACT) float (*const dp_act)(float, float, float) = ACT;

#define DP_CONV_ACT_EPI(channel, acc) dp_act(DP_CONV_BIAS_EPI(channel, acc), act_p, act_q)
#define DP_GEMM_ACT_EPI(bi, i, j, acc) dp_act(DP_GEMM_EPI(bi, i, j, acc), act_p, act_q)
#define DP_MATMUL_ACT_EPI(bi, i, j, acc) dp_act((acc), act_p, act_q)

#define DP_DEFINE_CONV_IM2COL_ACT(SCOPE, name, TX, TW, TACC, TY, ACT)   \
  DP_BLOCKED_BEGIN                                                      \
  DP_DEFINE_NT_ROW_KERNELS(name, TX, TW, TACC)                          \
  SCOPE void name(DP_CONV_PARAMS(TX, TW, TY), TX *col, DP_ACT_PARAMS) { \
    typedef TACC TACC_B;                                                \
    DP_ACT_SETUP(ACT)                                                   \
    DP_CONV_IM2COL_LOOPS(TX, TW, TACC, TY, name, DP_CONV_ACT_EPI)       \
  }                                                                     \
  DP_BLOCKED_END

#define DP_DEFINE_CONV_DIRECT_ACT(SCOPE, name, TX, TW, TACC, TY, ACT) \
  SCOPE void name(DP_CONV_PARAMS(TX, TW, TY), DP_ACT_PARAMS) {        \
    typedef TACC TACC_B;                                              \
    DP_ACT_SETUP(ACT)                                                 \
    DP_CONV_DIRECT_LOOPS(TX, TW, TACC, TY, DP_CONV_ACT_EPI)           \
  }

/* A product of LAYOUT NT or NN whose function takes PARAMS, runs SETUP and stores EPI. */
#define DP_DEFINE_PRODUCT_ACT(LAYOUT, SCOPE, name, TA, TB, TACC, TY, PARAMS, SETUP, EPI, ACT) \
  DP_BLOCKED_BEGIN                                                                           \
  DP_DEFINE_##LAYOUT##_KERNELS(name, TA, TB, TACC)                                           \
  SCOPE void name(PARAMS, DP_ACT_PARAMS) {                                                   \
    SETUP                                                                                    \
    DP_ACT_SETUP(ACT)                                                                        \
    DP_MATMUL_LOOPS(DP_##LAYOUT, TA, TB, TACC, TY, name, EPI)                                \
  }                                                                                          \
  DP_BLOCKED_END

#define DP_GEMM_ACT_SETUP(TACC) \
  typedef TACC TACC_C;          \
  DP_GEMM_SINGLE_BATCH
#define DP_DEFINE_GEMM_NT_ACT(SCOPE, name, TA, TB, TACC, TY, ACT)                                           \
  DP_DEFINE_PRODUCT_ACT(NT, SCOPE, name, TA, TB, TACC, TY, DP_GEMM_PARAMS(TA, TB, TACC, TY),               \
                        DP_GEMM_ACT_SETUP(TACC), DP_GEMM_ACT_EPI, ACT)
#define DP_DEFINE_GEMM_NN_ACT(SCOPE, name, TA, TB, TACC, TY, ACT)                                           \
  DP_DEFINE_PRODUCT_ACT(NN, SCOPE, name, TA, TB, TACC, TY, DP_GEMM_PARAMS(TA, TB, TACC, TY),               \
                        DP_GEMM_ACT_SETUP(TACC), DP_GEMM_ACT_EPI, ACT)
#define DP_DEFINE_MATMUL_NT_ACT(SCOPE, name, TA, TB, TACC, TY, ACT) \
  DP_DEFINE_PRODUCT_ACT(NT, SCOPE, name, TA, TB, TACC, TY, DP_MATMUL_PARAMS(TA, TB, TY), , DP_MATMUL_ACT_EPI, ACT)
#define DP_DEFINE_MATMUL_NN_ACT(SCOPE, name, TA, TB, TACC, TY, ACT) \
  DP_DEFINE_PRODUCT_ACT(NN, SCOPE, name, TA, TB, TACC, TY, DP_MATMUL_PARAMS(TA, TB, TY), , DP_MATMUL_ACT_EPI, ACT)

#endif
