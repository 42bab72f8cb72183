/*
 * The CV32E40P timing model of deeploy's QEMU (0005-timing-model.patch): each case runs a short
 * instruction sequence between two reads of the stall counter (CSR 0xfc0) and checks the stall cycles it
 * added against the CV32E40P user manual's cycle counts ("Pipeline details"): one cycle for a load's
 * result used by the next instruction, 2-cycle jumps (one more for a jalr whose base the previous
 * instruction wrote), 3-cycle taken branches, 5-cycle mulh, a divider of 3 + leading zeros cycles.
 * Straight-line code, so every sequence sits in one translation block.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>

static int failures;

static void expect(const char *what, uint32_t stalls, uint32_t expected)
{
    if (stalls != expected) {
        printf("FAIL %s: %lu stall cycles, expected %lu\n", what, (unsigned long)stalls, (unsigned long)expected);
        ++failures;
    }
}

/* Runs BODY between two reads of the stall counter; the difference lands in the named variable. */
#define MEASURE(result, body, ...)                                                  \
    __asm__ volatile(".option push\n.option arch, +xcvmem, +xcvbi\n"               \
                     "csrr %[start], 0xfc0\n" body "\ncsrr %[end], 0xfc0\n"        \
                     "sub %[start], %[end], %[start]\n.option pop"                 \
                     : [start] "=&r"(result), [end] "=&r"(scratch_end)__VA_ARGS__)

int main(void)
{
    static volatile uint32_t word[2] = {7, 9};
    uint32_t scratch_end, s, t0, t1;
    uintptr_t p;

    MEASURE(s, "lw %[t0], 0(%[p])\naddi %[t1], %[t0], 1", , [t0] "=&r"(t0), [t1] "=&r"(t1) : [p] "r"(word));
    expect("load then use", s, 1);
    MEASURE(s, "lw %[t0], 0(%[p])\naddi %[t1], %[p], 1\naddi %[t1], %[t0], 1", , [t0] "=&r"(t0), [t1] "=&r"(t1)
            : [p] "r"(word));
    expect("load, other, use", s, 0);
    MEASURE(s, "lw %[t0], 0(%[p])\nadd %[t1], %[t0], %[t0]", , [t0] "=&r"(t0), [t1] "=&r"(t1) : [p] "r"(word));
    expect("load then use twice", s, 1);
    MEASURE(s, "lw %[t0], 0(%[p])\nsw %[t0], 4(%[p])", , [t0] "=&r"(t0) : [p] "r"(word));
    expect("load then store it", s, 1);
    p = (uintptr_t)word;
    MEASURE(s, "cv.lw %[t0], (%[p]), 4\naddi %[t1], %[p], 0", , [t0] "=&r"(t0), [t1] "=&r"(t1), [p] "+r"(p));
    expect("post-increment load then its base", s, 0);
    p = (uintptr_t)word;
    MEASURE(s, "cv.lw %[t0], (%[p]), 4\naddi %[t1], %[t0], 0", , [t0] "=&r"(t0), [t1] "=&r"(t1), [p] "+r"(p));
    expect("post-increment load then use", s, 1);

    MEASURE(s, "li %[t0], 1\nbnez %[t0], 1f\nnop\n1:", , [t0] "=&r"(t0));
    expect("taken branch", s, 2);
    MEASURE(s, "li %[t0], 0\nbnez %[t0], 1f\nnop\n1:", , [t0] "=&r"(t0));
    expect("branch not taken", s, 0);
    MEASURE(s, "li %[t0], 3\ncv.beqimm %[t0], 3, 1f\nnop\n1:", , [t0] "=&r"(t0));
    expect("taken cv.beqimm", s, 2);
    MEASURE(s, "li %[t0], 3\ncv.bneimm %[t0], 3, 1f\nnop\n1:", , [t0] "=&r"(t0));
    expect("cv.bneimm not taken", s, 0);
    MEASURE(s, "lw %[t0], 0(%[p])\nbnez %[t0], 1f\nnop\n1:", , [t0] "=&r"(t0) : [p] "r"(word));
    expect("load then taken branch on it", s, 3);

    MEASURE(s, "j 1f\nnop\n1:");
    expect("jump", s, 1);
    MEASURE(s, "la %[t0], 1f\njalr x0, 0(%[t0])\nnop\n1:", , [t0] "=&r"(t0));
    expect("jalr after writing its base", s, 2);
    MEASURE(s, "la %[t0], 1f\nnop\njalr x0, 0(%[t0])\nnop\n1:", , [t0] "=&r"(t0));
    expect("jalr", s, 1);

    MEASURE(s, "li %[t0], 5\nmulh %[t1], %[t0], %[t0]", , [t0] "=&r"(t0), [t1] "=&r"(t1));
    expect("mulh", s, 4);
    MEASURE(s, "li %[t0], 5\nmul %[t1], %[t0], %[t0]", , [t0] "=&r"(t0), [t1] "=&r"(t1));
    expect("mul", s, 0);
    MEASURE(s, "li %[t0], 1\ndivu %[t1], %[t0], %[t0]", , [t0] "=&r"(t0), [t1] "=&r"(t1));
    expect("divu by 1 (31 leading zeros)", s, 33);
    MEASURE(s, "li %[t0], 0x80000000\ndivu %[t1], %[t0], %[t0]", , [t0] "=&r"(t0), [t1] "=&r"(t1));
    expect("divu by 0x80000000", s, 2);
    MEASURE(s, "li %[t0], 0\nremu %[t1], %[t0], %[t0]", , [t0] "=&r"(t0), [t1] "=&r"(t1));
    expect("remu by 0", s, 34);
    MEASURE(s, "li %[t0], -256\ndiv %[t1], %[t0], %[t0]", , [t0] "=&r"(t0), [t1] "=&r"(t1));
    expect("div by -256 (magnitude: 23 leading zeros)", s, 25);

    printf(failures ? "timing: %d FAILED\n" : "timing: all passed\n", failures);
    return failures != 0;
}
