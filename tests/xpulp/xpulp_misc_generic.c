/* The generic kernels the CORE-V ones are checked against (compiled with -DDP_GENERIC_KERNELS). */
#include "xpulp_misc_check.h"

#ifndef DP_GENERIC_KERNELS
#error "compile with -DDP_GENERIC_KERNELS"
#endif

#define XM_TABLE xm_ref
#include "xpulp_misc_kernels.inc"

/* The generic copies, renamed. */
#define dp_copy ref_dp_copy
#define dp_copy_bytes ref_dp_copy_bytes
#include "kernels/copy.c"
#define dp_strided_copy ref_dp_strided_copy
#define dp_pad ref_dp_pad
#include "kernels/data_movement.c"
