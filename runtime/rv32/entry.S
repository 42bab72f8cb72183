/* Every hart starts at 0x80000000 (QEMU virt, -bios none), where the link puts this section. Hart 0
 * runs picolibc's start-up and main; the others wait until hart 0 releases them (dp_cluster_start),
 * then take a stack of their own and serve fork/join jobs (cluster.c). */
    .section .dp_entry, "ax"
    .globl dp_entry
    .option push
    .option norelax   /* gp is not set up yet on the parked harts */
dp_entry:
    csrr t0, mhartid
    bnez t0, 1f
    j _start
1:  la t1, dp_cluster_released
2:  lw t2, 0(t1)
    beqz t2, 2b
    la gp, __global_pointer$
    /* Hart h (h >= 1) uses stack slot h - 1: sp = dp_hart_stacks + h * DP_STACK_BYTES, growing down. */
    la sp, dp_hart_stacks
    li t3, DP_STACK_BYTES
    mul t4, t0, t3
    add sp, sp, t4
    /* The FPU is off after reset (mstatus.FS = 0): turn it on, or the first float instruction traps.
     * On a core without one the field stays 0. */
    li t5, 0x2000
    csrs mstatus, t5
    /* Share hart 0's thread pointer: picolibc keeps errno in thread-local storage. */
    la t5, dp_main_thread_pointer
    lw tp, 0(t5)
    mv a0, t0
    call dp_worker_main
3:  wfi
    j 3b
    .option pop
