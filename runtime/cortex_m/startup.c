/* Start-up of the bare-metal Cortex-M programs (QEMU mps2-an386, mps3-an547): the vector table the
 * core reads its first stack pointer and reset address from, and a reset handler that turns on the
 * floating-point unit (and with it MVE), copies .data from the code memory, clears .bss, starts newlib's
 * semihosting I/O and runs main.
 * The linker script (generated from the platform file by targets/cortex_m_target) places .vectors at
 * the board's boot address and defines the symbols used here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t __stack_top, __data_start__, __data_end__, __data_load__, __bss_start__, __bss_end__;
extern int main(void);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

/* Coprocessor Access Control Register: full access to CP10 and CP11 (the FPU and MVE). */
#define DP_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define DP_CPACR_CP10_CP11_FULL (0xFu << 20)

void dp_reset(void);
static void dp_fault(void);

/* Until the FPU is on, no floating-point instruction may run: this function uses none, and everything
 * it calls runs after the barrier. */
void dp_reset(void) {
  DP_CPACR |= DP_CPACR_CP10_CP11_FULL;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  /* The loader (QEMU's, or the flash programmer) puts .data's initial values at its load address only. */
  memcpy(&__data_start__, &__data_load__, (size_t)((char *)&__data_end__ - (char *)&__data_start__));
  memset(&__bss_start__, 0, (size_t)((char *)&__bss_end__ - (char *)&__bss_start__));
  initialise_monitor_handles();
  __libc_init_array();
  exit(main());
}

/* A fault ends the program with a failing status instead of hanging QEMU. */
static void dp_fault(void) { _Exit(134); }

/* Initial stack pointer, reset, then NMI, HardFault, MemManage, BusFault, UsageFault (and on
 * Armv8-M SecureFault) ending the program; the interrupts are never enabled. */
__attribute__((section(".vectors"), used)) static void (*const dp_vectors[8])(void) = {
    (void (*)(void))(uintptr_t)&__stack_top, dp_reset, dp_fault, dp_fault, dp_fault, dp_fault, dp_fault, dp_fault};
