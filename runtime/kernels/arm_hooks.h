/* Helpers shared by the Arm hook headers (conv_arm.h, requant_arm.h, elementwise_arm.h, ...), which pick
 * Arm code at compile time (DP_ARM_MVE / DP_ARM_DSP of matmul_arm.h) and otherwise leave the generic
 * kernels alone. */
#ifndef DP_ARM_HOOKS_H
#define DP_ARM_HOOKS_H

#include "kernels/matmul_arm.h"

/* Whether T is a signed (unsigned) integer type of `bytes` bytes (constants; compile for floats too). */
#define DP_ARM_IS_INT(T, bytes) (sizeof(T) == (bytes) && (T)1 / 2 == 0 && (T)-1 < 0)
#define DP_ARM_IS_UINT(T, bytes) (sizeof(T) == (bytes) && (T)1 / 2 == 0 && (T)-1 > 0)

/* The element operation a DP_DEFINE_* macro was given, recognised by name at compile time so that a hook
 * replaces the known ones and leaves any other (floats, the generated division operations) to the
 * generic loop: DP_ARM_OP_KIND(OP) is the kind listed below for OP, else 0. (DP_ARM_OP_KIND_<OP> expands
 * to "~, kind" for a listed OP; for another name it is an unknown identifier, taken as the first of the
 * probe's arguments, so the second is the default 0.) */
#define DP_ARM_OP_SECOND(first, second, ...) second
#define DP_ARM_OP_PROBE(...) DP_ARM_OP_SECOND(__VA_ARGS__, 0, 0)
#define DP_ARM_OP_KIND(OP) DP_ARM_OP_PROBE(DP_ARM_OP_KIND_##OP)
enum { DP_ARM_OP_ADD = 1, DP_ARM_OP_SUB, DP_ARM_OP_MUL, DP_ARM_OP_IHARDSWISH32 };
#define DP_ARM_OP_KIND_DP_IADD ~, DP_ARM_OP_ADD
#define DP_ARM_OP_KIND_DP_ISUB ~, DP_ARM_OP_SUB
#define DP_ARM_OP_KIND_DP_IMUL ~, DP_ARM_OP_MUL
#define DP_ARM_OP_KIND_dp_ihardswish32 ~, DP_ARM_OP_IHARDSWISH32

#endif
