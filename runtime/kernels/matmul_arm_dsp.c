/* int8 NT matrix-product tiles for Arm cores with the DSP extension and no MVE (Cortex-M4, M7, M33);
 * see matmul_arm.h.
 *
 * SMLAD multiplies two pairs of 16-bit lanes and adds both products to a 32-bit accumulator. Bytes become
 * 16-bit lanes with SXTB16 (UXTB16 for uint8), which takes the even bytes of a word, or with a rotation
 * by 8 the odd ones: a word of bt, bytes (b0 b1 b2 b3), gives (b0 b2) and (b1 b3).
 *
 * Four rows of A at a time are converted once to 16-bit lanes in that order, (a0 a2) (a1 a3) per group of
 * four K, interleaved row by row into a panel in scratch (groups of 8 words: row 0 even, row 0 odd, row
 * 1 even, ...), so the inner loop reads them with LDM and spends its ALU work on bt: per four K of a
 * column, one load and two SXTB16 for bt, two LDM of the panel and eight SMLAD (16 MACs): 0.81
 * instructions per MAC, the floor of this scheme, since every bt byte is extended at run time (int16
 * weights, converted at compile time, would allow blocks with both operands loaded by LDM). The panel
 * holds DP_DSP_PANEL_K values of K (2 KB of stack); longer rows are done in chunks, adding to the
 * accumulators. Leftover rows (fewer than four, the GEMV of M = 1) are panels of one row against four
 * columns at a time (21 instructions per 16 MACs); the last k % 4 terms are scalar. */
#include "kernels/matmul_nt16.h"

#ifdef DP_ARM_DSP
#include <stddef.h>

#include "kernels/arm_dsp.h"

/* K values per panel chunk (a multiple of 8): a panel is 4 * DP_DSP_PANEL_K int16 values. */
#define DP_DSP_PANEL_K 256


/* The columns of a panel in one assembly routine (GCC's code around a loop of inline assembly spent ~35
 * instructions per column on spills and moves; this spends ~20). Per column: the sums of the four rows
 * in r0-r3, a word of bt in r5 and its lane pairs in r4 (even bytes) and r5 (odd bytes), the panel
 * pointer r6 and bt pointer r7, the eight panel words of a group loaded by two LDM into r8-r11 (LDM lists
 * ascend), the loop ends in lr (groups of four groups) and r12 (all groups); the state's address is kept
 * at [sp, #4] (r7, the frame pointer of unoptimized builds, is saved and restored). 13 instructions per
 * group of four K (16 MACs) plus a compare and branch per four groups. */
struct dp_dsp_panel {
  const uint32_t *panel; /* the panel's first group */
  const int8_t *b;       /* the next column of bt */
  const uint32_t *end4;  /* the panel's end after groups & ~3 groups */
  const uint32_t *end;   /* the panel's end */
  uint32_t *acc;         /* the next column's accumulators, row 0 */
  int32_t stride_bytes;  /* between accumulator rows */
  int32_t k;             /* bt row length */
  int32_t cols;          /* columns left (>= 1) */
  int32_t accumulate;    /* add the sums to acc (later chunks of K) rather than store them */
};
/* LDRD reads panel with b, end4 with end, acc with stride_bytes. */
typedef char
    dp_dsp_panel_pairs_adjacent[offsetof(struct dp_dsp_panel, b) == offsetof(struct dp_dsp_panel, panel) + 4 &&
                                        offsetof(struct dp_dsp_panel, end) == offsetof(struct dp_dsp_panel, end4) + 4 &&
                                        offsetof(struct dp_dsp_panel, stride_bytes) ==
                                            offsetof(struct dp_dsp_panel, acc) + 4
                                    ? 1
                                    : -1];
#define DP_DSP_GROUP                  \
  "ldr r5, [r7], #4\n\t"              \
  "ldmia r6!, {r8, r9, r10, r11}\n\t" \
  "sxtb16 r4, r5\n\t"                 \
  "sxtb16 r5, r5, ror #8\n\t"         \
  "smlad r0, r8, r4, r0\n\t"          \
  "smlad r0, r9, r5, r0\n\t"          \
  "smlad r1, r10, r4, r1\n\t"         \
  "smlad r1, r11, r5, r1\n\t"         \
  "ldmia r6!, {r8, r9, r10, r11}\n\t" \
  "smlad r2, r8, r4, r2\n\t"          \
  "smlad r2, r9, r5, r2\n\t"          \
  "smlad r3, r10, r4, r3\n\t"         \
  "smlad r3, r11, r5, r3\n\t"
static void dp_dsp_panel_columns(struct dp_dsp_panel *state) {
  register struct dp_dsp_panel *st __asm("r12") = state;
  __asm volatile(
      "push {r7, r12}\n"
      "1:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "ldrd r6, r7, [r12, #%c[panel]]\n\t"
      "ldr lr, [r12, #%c[k]]\n\t"
      "add lr, r7, lr\n\t"
      "str lr, [r12, #%c[b]]\n\t"
      "ldrd lr, r12, [r12, #%c[end4]]\n\t"
      "movs r0, #0\n\t"
      "movs r1, #0\n\t"
      "movs r2, #0\n\t"
      "movs r3, #0\n\t"
      "cmp r6, lr\n\t"
      "beq 3f\n"
      "2:\n\t" DP_DSP_GROUP DP_DSP_GROUP DP_DSP_GROUP DP_DSP_GROUP
      "cmp r6, lr\n\t"
      "bne 2b\n"
      "3:\n\t"
      "cmp r6, r12\n\t"
      "beq 5f\n"
      "4:\n\t" DP_DSP_GROUP
      "cmp r6, r12\n\t"
      "bne 4b\n"
      "5:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "ldrd r4, r5, [r12, #%c[acc]]\n\t"
      "add r7, r4, r5, lsl #1\n\t"
      "ldr r6, [r12, #%c[accumulate]]\n\t"
      "cbz r6, 6f\n\t"
      "ldr r6, [r4]\n\t"
      "add r0, r6\n\t"
      "ldr r6, [r4, r5]\n\t"
      "add r1, r6\n\t"
      "ldr r6, [r7]\n\t"
      "add r2, r6\n\t"
      "ldr r6, [r7, r5]\n\t"
      "add r3, r6\n"
      "6:\n\t"
      "str r1, [r4, r5]\n\t"
      "str r0, [r4], #4\n\t"
      "str r3, [r7, r5]\n\t"
      "str r2, [r7]\n\t"
      "str r4, [r12, #%c[acc]]\n\t"
      "ldr r6, [r12, #%c[cols]]\n\t"
      "subs r6, r6, #1\n\t"
      "str r6, [r12, #%c[cols]]\n\t"
      "bne 1b\n\t"
      "pop {r7, r12}"
      : "+r"(st)
      : [panel] "i"(offsetof(struct dp_dsp_panel, panel)), [b] "i"(offsetof(struct dp_dsp_panel, b)),
        [end4] "i"(offsetof(struct dp_dsp_panel, end4)), [acc] "i"(offsetof(struct dp_dsp_panel, acc)),
        [k] "i"(offsetof(struct dp_dsp_panel, k)), [cols] "i"(offsetof(struct dp_dsp_panel, cols)),
        [accumulate] "i"(offsetof(struct dp_dsp_panel, accumulate))
      : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");
}

/* One row against columns of bt, four at a time, in one assembly routine: the row converted to a panel
 * of one row (two words per group of four K), sums in r0-r3, columns in r6 r7 r10 r11, the group's panel
 * words in r8 r9, a bt word in r5 and its lane pairs in r4 and r5, the panel pointer in r12, loop ends in
 * lr; the state's address is kept at [sp, #4] (r7, the frame pointer of unoptimized builds, is
 * saved and restored). 21 instructions per group of four K (16 MACs) plus a compare
 * and branch per two groups. */
struct dp_dsp_row {
  const uint32_t *panel; /* the row's first group */
  const uint32_t *end2;  /* the panel's end after groups & ~1 groups */
  const uint32_t *end;   /* the panel's end */
  const int8_t *b;       /* the next four columns of bt */
  int32_t k;             /* bt row length */
  uint32_t *acc;         /* the next four accumulators */
  int32_t quads;         /* groups of four columns left (>= 1) */
  int32_t accumulate;    /* add the sums to acc rather than store them */
};
/* LDRD reads b with k. */
typedef char dp_dsp_row_pairs_adjacent[offsetof(struct dp_dsp_row, k) == offsetof(struct dp_dsp_row, b) + 4 ? 1 : -1];
/* One column of a group: a bt word (pointer B) into lane pairs, two SMLAD into the sum S. */
#define DP_DSP_ROW_COLUMN(B, S)             \
  "ldr r5, [" B "], #4\n\t"                 \
  "sxtb16 r4, r5\n\t"                       \
  "sxtb16 r5, r5, ror #8\n\t"               \
  "smlad " S ", r8, r4, " S "\n\t"          \
  "smlad " S ", r9, r5, " S "\n\t"
#define DP_DSP_ROW_GROUP                                                                   \
  "ldrd r8, r9, [r12], #8\n\t" DP_DSP_ROW_COLUMN("r6", "r0") DP_DSP_ROW_COLUMN("r7", "r1") \
      DP_DSP_ROW_COLUMN("r10", "r2") DP_DSP_ROW_COLUMN("r11", "r3")
static void dp_dsp_row_columns(struct dp_dsp_row *state) {
  register struct dp_dsp_row *st __asm("r12") = state;
  __asm volatile(
      "push {r7, r12}\n"
      "1:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "ldrd r6, lr, [r12, #%c[b]]\n\t"
      "add r7, r6, lr\n\t"
      "add r10, r7, lr\n\t"
      "add r11, r10, lr\n\t"
      "add lr, r11, lr\n\t"
      "str lr, [r12, #%c[b]]\n\t"
      "ldr lr, [r12, #%c[end2]]\n\t"
      "ldr r12, [r12, #%c[panel]]\n\t"
      "movs r0, #0\n\t"
      "movs r1, #0\n\t"
      "movs r2, #0\n\t"
      "movs r3, #0\n\t"
      "cmp r12, lr\n\t"
      "beq 3f\n"
      "2:\n\t" DP_DSP_ROW_GROUP DP_DSP_ROW_GROUP
      "cmp r12, lr\n\t"
      "bne 2b\n"
      "3:\n\t"
      "ldr lr, [sp, #4]\n\t"
      "ldr lr, [lr, #%c[end]]\n\t"
      "cmp r12, lr\n\t"
      "beq 4f\n\t" DP_DSP_ROW_GROUP
      "\n4:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "ldr r4, [r12, #%c[acc]]\n\t"
      "ldr r5, [r12, #%c[accumulate]]\n\t"
      "cbz r5, 5f\n\t"
      "ldrd r6, r7, [r4]\n\t"
      "add r0, r6\n\t"
      "add r1, r7\n\t"
      "ldrd r6, r7, [r4, #8]\n\t"
      "add r2, r6\n\t"
      "add r3, r7\n"
      "5:\n\t"
      "stmia r4!, {r0, r1, r2, r3}\n\t"
      "str r4, [r12, #%c[acc]]\n\t"
      "ldr r5, [r12, #%c[quads]]\n\t"
      "subs r5, r5, #1\n\t"
      "str r5, [r12, #%c[quads]]\n\t"
      "bne 1b\n\t"
      "pop {r7, r12}"
      : "+r"(st)
      : [panel] "i"(offsetof(struct dp_dsp_row, panel)), [end2] "i"(offsetof(struct dp_dsp_row, end2)),
        [end] "i"(offsetof(struct dp_dsp_row, end)), [b] "i"(offsetof(struct dp_dsp_row, b)),
        [acc] "i"(offsetof(struct dp_dsp_row, acc)), [quads] "i"(offsetof(struct dp_dsp_row, quads)),
        [accumulate] "i"(offsetof(struct dp_dsp_row, accumulate))
      : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");
}

/* Converts `groups` groups of four K of one row into the panel layout of one row. */
#define DP_DSP_DEFINE_ROW(T, TA, EVEN, ODD)                                 \
  static void T##_row_panel(const TA *a, int32_t groups, uint32_t *panel) { \
    int32_t g;                                                              \
    for (g = 0; g < groups; ++g, panel += 2) {                              \
      const uint32_t w = dp_dsp_load4(a + 4 * g);                           \
      panel[0] = EVEN(w), panel[1] = ODD(w);                                \
    }                                                                       \
  }

/* The tile: 4-row panels in chunks of K, then the leftover rows, then the last k % 4 terms. */
#define DP_DSP_DEFINE_TILE(T, TA)                                                                                \
  void dp_arm_nt_tile_##T(const TA *a, const int8_t *bt, int32_t rows, int32_t cols, int32_t k, uint32_t *acc,   \
                          int32_t acc_stride) {                                                                  \
    uint32_t panel[8 * (DP_DSP_PANEL_K / 4)];                                                                    \
    const int32_t groups = k >> 2, rows4 = rows & ~(int32_t)3, cols4 = cols & ~(int32_t)3;                       \
    int32_t i, j, g0, t;                                                                                         \
    for (i = 0; i < rows4; i += 4) {                                                                             \
      const TA *arow = a + i * k;                                                                                \
      uint32_t *accrow = acc + i * acc_stride;                                                                   \
      for (g0 = 0; g0 < groups || g0 == 0; g0 += DP_DSP_PANEL_K / 4) {                                           \
        const int32_t chunk = groups - g0 < DP_DSP_PANEL_K / 4 ? groups - g0 : DP_DSP_PANEL_K / 4;               \
        dp_dsp_four_row_panel_##T(arow + 4 * g0, k, chunk, panel);                                                    \
        if (cols) {                                                                                              \
          struct dp_dsp_panel state;                                                                             \
          state.panel = panel, state.b = bt + 4 * g0, state.end4 = panel + 8 * (chunk & ~3);                     \
          state.end = panel + 8 * chunk, state.acc = accrow, state.stride_bytes = 4 * acc_stride;                \
          state.k = k, state.cols = cols, state.accumulate = g0 > 0;                                             \
          dp_dsp_panel_columns(&state);                                                                          \
        }                                                                                                        \
      }                                                                                                          \
    }                                                                                                            \
    for (i = rows4; i < rows; ++i) {                                                                             \
      const TA *arow = a + i * k;                                                                                \
      uint32_t *accrow = acc + i * acc_stride;                                                                   \
      for (g0 = 0; g0 < groups || g0 == 0; g0 += DP_DSP_PANEL_K) {                                               \
        const int32_t chunk = groups - g0 < DP_DSP_PANEL_K ? groups - g0 : DP_DSP_PANEL_K;                       \
        dp_dsp_##T##_row_panel(arow + 4 * g0, chunk, panel);                                                     \
        if (cols4) {                                                                                             \
          struct dp_dsp_row state;                                                                               \
          state.panel = panel, state.end2 = panel + 2 * (chunk & ~1), state.end = panel + 2 * chunk;             \
          state.b = bt + 4 * g0, state.k = k, state.acc = accrow, state.quads = cols4 >> 2;                      \
          state.accumulate = g0 > 0;                                                                             \
          dp_dsp_row_columns(&state);                                                                            \
        }                                                                                                        \
        for (j = cols4; j < cols; ++j) {                                                                         \
          const int8_t *b = bt + j * k + 4 * g0;                                                                 \
          uint32_t s0 = g0 ? accrow[j] : 0;                                                                      \
          for (t = 0; t < chunk; ++t) {                                                                          \
            const uint32_t w = dp_dsp_load4(b + 4 * t);                                                          \
            s0 = DP_DSP_SMLAD(panel[2 * t], DP_DSP_EVEN_s8(w), s0);                                              \
            s0 = DP_DSP_SMLAD(panel[2 * t + 1], DP_DSP_ODD_s8(w), s0);                                           \
          }                                                                                                      \
          accrow[j] = s0;                                                                                        \
        }                                                                                                        \
      }                                                                                                          \
    }                                                                                                            \
    for (t = 4 * groups; t < k; ++t)                                                                             \
      for (i = 0; i < rows; ++i)                                                                                 \
        for (j = 0; j < cols; ++j) acc[i * acc_stride + j] += (uint32_t)((int32_t)a[i * k + t] * bt[j * k + t]); \
  }

DP_DSP_DEFINE_ROW(dp_dsp_s8, int8_t, DP_DSP_EVEN_s8, DP_DSP_ODD_s8)
DP_DSP_DEFINE_ROW(dp_dsp_u8, uint8_t, DP_DSP_EVEN_u8, DP_DSP_ODD_u8)
DP_DSP_DEFINE_TILE(s8, int8_t)
DP_DSP_DEFINE_TILE(u8, uint8_t)

/* ---- Tiles of the nt16 layout (matmul_nt16.h): weights widened to int16 lane pairs at compile time ----
 * Rows of A, three at a time, become a panel of lane pairs (per group of four K: row 0 even, row 0 odd,
 * row 1 even, ..., zeros past k), which the routines below read with LDRD while a column pair's four
 * weight words of the group come by one LDM. The panel holds DP_NT16_CHUNK groups (longer rows are done
 * in chunks, adding to the accumulators); a single row's panel (leftover rows, the GEMV of M = 1) holds
 * three times as many. Columns the routines leave (a lone last column; a pair left from the four-column
 * groups of a single row) are summed in C. The first group of every block starts its sums with SMUAD. */
#define DP_NT16_CHUNK 64

/* SMLAD adding to the sum S, or SMUAD starting it. */
#define DP_NT16_SMLAD(S, P, W) "smlad " S ", " P ", " W ", " S "\n\t"
#define DP_NT16_SMUAD(S, P, W) "smuad " S ", " P ", " W "\n\t"

/* Three rows against a column pair: sums of (row, column) in r0 r1 (row 0), r2 r3, r4 r5, the panel
 * pointer in r6 and the weight pointer in r7, the group's weight words in r8-r11 (column 0 even, odd,
 * column 1 even, odd), a row's two panel words in r12 and lr. 16 instructions per group (24 MACs); the
 * loop ends live on the stack (read into r12, free at the loop's bottom). */
#define DP_NT16_BLOCK_ROW(START, S0, S1) \
  "ldrd r12, lr, [r6], #8\n\t" START(S0, "r12", "r8") DP_NT16_SMLAD(S0, "lr", "r9") START(S1, "r12", "r10") DP_NT16_SMLAD(S1, "lr", "r11")
#define DP_NT16_BLOCK_GROUP(START)                                                                        \
  "ldmia r7!, {r8, r9, r10, r11}\n\t" DP_NT16_BLOCK_ROW(START, "r0", "r1") DP_NT16_BLOCK_ROW(START, "r2", "r3") \
      DP_NT16_BLOCK_ROW(START, "r4", "r5")
struct dp_nt16_block {
  const uint32_t *end4;    /* the panel's end after 1 + ((groups - 1) & ~3) groups */
  const uint32_t *end;     /* the panel's end */
  const uint32_t *panel;   /* the panel's first group */
  const uint32_t *w;       /* the first column pair's chunk */
  uint32_t *acc;           /* the next pair's accumulators, row 0 */
  int32_t stride_bytes;    /* between accumulator rows */
  int32_t skip_bytes;      /* from the end of a pair's chunk to the next pair's */
  const uint32_t *w_end;   /* the weight pointer after the last pair */
  int32_t accumulate;      /* add the sums to acc (later chunks of K) rather than store them */
};
/* LDRD reads end4 with end, acc with stride_bytes, skip_bytes with w_end. */
typedef char dp_nt16_block_pairs_adjacent
    [offsetof(struct dp_nt16_block, end) == offsetof(struct dp_nt16_block, end4) + 4 &&
             offsetof(struct dp_nt16_block, stride_bytes) == offsetof(struct dp_nt16_block, acc) + 4 &&
             offsetof(struct dp_nt16_block, w_end) == offsetof(struct dp_nt16_block, skip_bytes) + 4
         ? 1
         : -1];
/* The stack while it runs: [sp] end4, [sp, #4] end, [sp, #8] the caller's r7, [sp, #12] the state. */
static void dp_nt16_block_columns(struct dp_nt16_block *state) {
  register struct dp_nt16_block *st __asm("r12") = state;
  __asm volatile(
      "push {r7, r12}\n\t"
      "ldrd r6, lr, [r12, #%c[end4]]\n\t"
      "ldr r7, [r12, #%c[w]]\n\t"
      "push {r6, lr}\n"
      "1:\n\t"
      "ldr r12, [sp, #12]\n\t"
      "ldr r6, [r12, #%c[panel]]\n\t" DP_NT16_BLOCK_GROUP(DP_NT16_SMUAD)
      "ldr lr, [sp]\n\t"
      "cmp r6, lr\n\t"
      "beq 3f\n"
      "2:\n\t" DP_NT16_BLOCK_GROUP(DP_NT16_SMLAD) DP_NT16_BLOCK_GROUP(DP_NT16_SMLAD)
          DP_NT16_BLOCK_GROUP(DP_NT16_SMLAD) DP_NT16_BLOCK_GROUP(DP_NT16_SMLAD)
      "ldr r12, [sp]\n\t"
      "cmp r6, r12\n\t"
      "bne 2b\n"
      "3:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "cmp r6, r12\n\t"
      "beq 5f\n"
      "4:\n\t" DP_NT16_BLOCK_GROUP(DP_NT16_SMLAD)
      "ldr r12, [sp, #4]\n\t"
      "cmp r6, r12\n\t"
      "bne 4b\n"
      "5:\n\t"
      "ldr r12, [sp, #12]\n\t"
      "ldrd r8, r9, [r12, #%c[acc]]\n\t"
      "add r10, r8, r9\n\t"
      "add r9, r10, r9\n\t"
      "ldr r6, [r12, #%c[accumulate]]\n\t"
      "cbz r6, 6f\n\t"
      "ldrd r6, lr, [r8]\n\t"
      "add r0, r6\n\t"
      "add r1, lr\n\t"
      "ldrd r6, lr, [r10]\n\t"
      "add r2, r6\n\t"
      "add r3, lr\n\t"
      "ldrd r6, lr, [r9]\n\t"
      "add r4, r6\n\t"
      "add r5, lr\n"
      "6:\n\t"
      "strd r0, r1, [r8], #8\n\t"
      "strd r2, r3, [r10]\n\t"
      "strd r4, r5, [r9]\n\t"
      "str r8, [r12, #%c[acc]]\n\t"
      "ldrd r6, lr, [r12, #%c[skip]]\n\t"
      "add r7, r6\n\t"
      "cmp r7, lr\n\t"
      "bne 1b\n\t"
      "add sp, #8\n\t"
      "pop {r7, r12}"
      : "+r"(st)
      : [end4] "i"(offsetof(struct dp_nt16_block, end4)), [panel] "i"(offsetof(struct dp_nt16_block, panel)),
        [w] "i"(offsetof(struct dp_nt16_block, w)), [acc] "i"(offsetof(struct dp_nt16_block, acc)),
        [skip] "i"(offsetof(struct dp_nt16_block, skip_bytes)),
        [accumulate] "i"(offsetof(struct dp_nt16_block, accumulate))
      : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");
}

/* One row against two column pairs: sums in r0-r3, the panel pointer in r6, the pairs' weight pointers
 * in r7 and r4, a pair's group in r8-r11, the group's two panel words in r12 and lr, the main loop's end
 * in r5. 11 instructions per group (16 MACs). */
#define DP_NT16_ROW_PAIR(START, W, S0, S1)                                                                     \
  "ldmia " W "!, {r8, r9, r10, r11}\n\t" START(S0, "r12", "r8") DP_NT16_SMLAD(S0, "lr", "r9") START(S1, "r12", \
                                                                                                    "r10")     \
      DP_NT16_SMLAD(S1, "lr", "r11")
#define DP_NT16_ROW_GROUP(START) \
  "ldrd r12, lr, [r6], #8\n\t" DP_NT16_ROW_PAIR(START, "r7", "r0", "r1") DP_NT16_ROW_PAIR(START, "r4", "r2", "r3")
struct dp_nt16_row {
  const uint32_t *panel;  /* the row's first group */
  const uint32_t *end2;   /* the panel's end after 1 + ((groups - 1) & ~1) groups */
  const uint32_t *end;    /* the panel's end */
  const uint32_t *w;      /* the first column pair's chunk */
  int32_t pair_bytes;     /* between column pairs */
  uint32_t *acc;          /* the next four accumulators */
  int32_t skip_bytes;     /* from the end of a pair's chunk to the next pair's */
  const uint32_t *w_end;  /* the first weight pointer after the last four columns */
  int32_t accumulate;     /* add the sums to acc rather than store them */
};
/* LDRD reads skip_bytes with w_end. */
typedef char dp_nt16_row_pairs_adjacent
    [offsetof(struct dp_nt16_row, w_end) == offsetof(struct dp_nt16_row, skip_bytes) + 4 ? 1 : -1];
static void dp_nt16_row_columns(struct dp_nt16_row *state) {
  register struct dp_nt16_row *st __asm("r12") = state;
  __asm volatile(
      "push {r7, r12}\n\t"
      "ldr r7, [r12, #%c[w]]\n"
      "1:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "ldr r6, [r12, #%c[panel]]\n\t"
      "ldr r5, [r12, #%c[pair_bytes]]\n\t"
      "add r4, r7, r5\n\t"
      "ldr r5, [r12, #%c[end2]]\n\t" DP_NT16_ROW_GROUP(DP_NT16_SMUAD)
      "cmp r6, r5\n\t"
      "beq 3f\n"
      "2:\n\t" DP_NT16_ROW_GROUP(DP_NT16_SMLAD) DP_NT16_ROW_GROUP(DP_NT16_SMLAD)
      "cmp r6, r5\n\t"
      "bne 2b\n"
      "3:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "ldr r5, [r12, #%c[end]]\n\t"
      "cmp r6, r5\n\t"
      "beq 4f\n\t" DP_NT16_ROW_GROUP(DP_NT16_SMLAD)
      "\n4:\n\t"
      "ldr r12, [sp, #4]\n\t"
      "ldr r5, [r12, #%c[acc]]\n\t"
      "ldr r6, [r12, #%c[accumulate]]\n\t"
      "cbz r6, 5f\n\t"
      "ldrd r8, r9, [r5]\n\t"
      "add r0, r8\n\t"
      "add r1, r9\n\t"
      "ldrd r8, r9, [r5, #8]\n\t"
      "add r2, r8\n\t"
      "add r3, r9\n"
      "5:\n\t"
      "stmia r5!, {r0, r1, r2, r3}\n\t"
      "str r5, [r12, #%c[acc]]\n\t"
      "ldrd r8, r9, [r12, #%c[skip]]\n\t"
      "add r7, r4, r8\n\t"
      "cmp r7, r9\n\t"
      "bne 1b\n\t"
      "pop {r7, r12}"
      : "+r"(st)
      : [panel] "i"(offsetof(struct dp_nt16_row, panel)), [end2] "i"(offsetof(struct dp_nt16_row, end2)),
        [end] "i"(offsetof(struct dp_nt16_row, end)), [w] "i"(offsetof(struct dp_nt16_row, w)),
        [pair_bytes] "i"(offsetof(struct dp_nt16_row, pair_bytes)), [acc] "i"(offsetof(struct dp_nt16_row, acc)),
        [skip] "i"(offsetof(struct dp_nt16_row, skip_bytes)),
        [accumulate] "i"(offsetof(struct dp_nt16_row, accumulate))
      : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "lr", "cc", "memory");
}

/* s plus the sum of one panel row (its two words at panel, `step` words per group) against column
 * `column` (0 or 1) of a column pair's chunk w, over `groups` groups. */
static uint32_t dp_nt16_column(const uint32_t *panel, int32_t step, const uint32_t *w, int32_t column, int32_t groups,
                               uint32_t s) {
  int32_t g;
  for (g = 0; g < groups; ++g, panel += step, w += 4) {
    s = DP_DSP_SMLAD(panel[0], w[2 * column], s);
    s = DP_DSP_SMLAD(panel[1], w[2 * column + 1], s);
  }
  return s;
}

/* Three panel rows (a chunk of `groups` groups) against cols columns of w (pairs pair_words apart). */
static void dp_nt16_three_rows(const uint32_t *panel, int32_t groups, const uint32_t *w, int32_t pair_words,
                               int32_t cols, uint32_t *acc, int32_t acc_stride, int accumulate) {
  const int32_t pairs = cols >> 1;
  int32_t r;
  if (pairs) {
    struct dp_nt16_block state;
    state.end4 = panel + 6 * (1 + ((groups - 1) & ~3)), state.end = panel + 6 * groups, state.panel = panel;
    state.w = w, state.acc = acc, state.stride_bytes = 4 * acc_stride;
    state.skip_bytes = 4 * (pair_words - 4 * groups), state.w_end = w + pairs * pair_words;
    state.accumulate = accumulate;
    dp_nt16_block_columns(&state);
  }
  if (cols & 1) {
    for (r = 0; r < 3; ++r) {
      uint32_t *out = acc + r * acc_stride + cols - 1;
      *out = dp_nt16_column(panel + 2 * r, 6, w + pairs * pair_words, 0, groups, accumulate ? *out : 0);
    }
  }
}

/* One panel row against cols columns of w. */
static void dp_nt16_one_row(const uint32_t *panel, int32_t groups, const uint32_t *w, int32_t pair_words,
                            int32_t cols, uint32_t *acc, int accumulate) {
  const int32_t quads = cols >> 2;
  int32_t j;
  if (quads) {
    struct dp_nt16_row state;
    state.panel = panel, state.end2 = panel + 2 * (1 + ((groups - 1) & ~1)), state.end = panel + 2 * groups;
    state.w = w, state.pair_bytes = 4 * pair_words, state.acc = acc;
    state.skip_bytes = 4 * (pair_words - 4 * groups), state.w_end = w + 2 * quads * pair_words;
    state.accumulate = accumulate;
    dp_nt16_row_columns(&state);
  }
  for (j = 4 * quads; j < cols; ++j)
    acc[j] = dp_nt16_column(panel, 2, w + (j >> 1) * pair_words, j & 1, groups, accumulate ? acc[j] : 0);
}

/* Converts groups g0 .. g0 + groups - 1 of `rows` rows (a, stride k) into a panel, zeros past k. */
#define DP_NT16_DEFINE_PANEL(T, TA, EVEN, ODD)                                                         \
  static void dp_nt16_##T##_panel(const TA *a, int32_t k, int32_t rows, int32_t g0, int32_t groups,    \
                                  uint32_t *panel) {                                                   \
    int32_t g, r, i;                                                                                   \
    for (g = g0; g < g0 + groups; ++g)                                                                 \
      for (r = 0; r < rows; ++r, panel += 2) {                                                         \
        const TA *p = a + r * k + 4 * g;                                                               \
        uint32_t w = 0;                                                                                \
        if (k - 4 * g >= 4)                                                                            \
          w = dp_dsp_load4(p);                                                                         \
        else                                                                                           \
          for (i = 0; i < k - 4 * g; ++i) w |= (uint32_t)(uint8_t)p[i] << (8 * i);                     \
        panel[0] = EVEN(w), panel[1] = ODD(w);                                                         \
      }                                                                                                \
  }

#define DP_NT16_DEFINE_TILE(T, TA)                                                                            \
  void dp_nt16_tile_##T(const TA *a, const int32_t *bw, int32_t rows, int32_t cols, int32_t k, uint32_t *acc, \
                        int32_t acc_stride) {                                                                 \
    uint32_t panel[6 * DP_NT16_CHUNK];                                                                        \
    const uint32_t *w = (const uint32_t *)(const void *)bw;                                                   \
    const int32_t groups = DP_NT16_GROUPS(k), pair_words = DP_NT16_PAIR_WORDS(k), rows3 = rows - rows % 3;   \
    int32_t i, j, g0;                                                                                         \
    if (groups == 0) {                                                                                        \
      for (i = 0; i < rows; ++i)                                                                              \
        for (j = 0; j < cols; ++j) acc[i * acc_stride + j] = 0;                                               \
      return;                                                                                                 \
    }                                                                                                         \
    for (i = 0; i < rows3; i += 3)                                                                            \
      for (g0 = 0; g0 < groups; g0 += DP_NT16_CHUNK) {                                                        \
        const int32_t chunk = groups - g0 < DP_NT16_CHUNK ? groups - g0 : DP_NT16_CHUNK;                      \
        dp_nt16_##T##_panel(a + i * k, k, 3, g0, chunk, panel);                                               \
        dp_nt16_three_rows(panel, chunk, w + 4 * g0, pair_words, cols, acc + i * acc_stride, acc_stride, g0 > 0); \
      }                                                                                                       \
    for (i = rows3; i < rows; ++i)                                                                            \
      for (g0 = 0; g0 < groups; g0 += 3 * DP_NT16_CHUNK) {                                                    \
        const int32_t chunk = groups - g0 < 3 * DP_NT16_CHUNK ? groups - g0 : 3 * DP_NT16_CHUNK;              \
        dp_nt16_##T##_panel(a + i * k, k, 1, g0, chunk, panel);                                               \
        dp_nt16_one_row(panel, chunk, w + 4 * g0, pair_words, cols, acc + i * acc_stride, g0 > 0);            \
      }                                                                                                       \
  }

DP_NT16_DEFINE_PANEL(s8, int8_t, DP_DSP_EVEN_s8, DP_DSP_ODD_s8)
DP_NT16_DEFINE_PANEL(u8, uint8_t, DP_DSP_EVEN_u8, DP_DSP_ODD_u8)
DP_NT16_DEFINE_TILE(s8, int8_t)
DP_NT16_DEFINE_TILE(u8, uint8_t)

/* The requantization of a row with CLAMP(q) the clamp to [lo, hi]: SSAT / USAT for the full int8 / uint8
 * ranges (one instruction), compares otherwise. */
#define DP_DSP_REQUANTIZE_ROWS(CLAMP)                                                      \
  for (r = 0; r < rows; ++r, acc += acc_stride, y += y_stride, mul += rq_r, add += rq_r) { \
    const int32_t *m = mul, *d = add;                                                      \
    for (c = 0; c < cols; ++c, m += rq_c, d += rq_c) {                                     \
      const int32_t v = dp_acc_to_s32(acc[c] * (uint32_t)*m + (uint32_t)*d);               \
      const int32_t q = v >= 0 ? v >> shift_32 : ~(~v >> shift_32);                        \
      y[c] = (uint8_t)(CLAMP);                                                             \
    }                                                                                      \
  }

void dp_arm_requantize_tile(const uint32_t *acc, int32_t acc_stride, int32_t rows, int32_t cols, uint8_t *y,
                            int32_t y_stride, const int32_t *mul, const int32_t *add, int32_t rq_r, int32_t rq_c,
                            int32_t shift_32, int32_t lo, int32_t hi) {
  int32_t r, c;
  if (lo == -128 && hi == 127) {
    DP_DSP_REQUANTIZE_ROWS(__ssat(q, 8))
  } else if (lo == 0 && hi == 255) {
    DP_DSP_REQUANTIZE_ROWS(__usat(q, 8))
  } else {
    DP_DSP_REQUANTIZE_ROWS(q < lo ? lo : q > hi ? hi : q)
  }
}
#endif
