/* Cortex-M4 start-up for the mps2-an386 image: the vector table, the reset handler (copy .data, zero
 * .bss, paint the stack so its high-water mark can be measured, run main, exit through semihosting)
 * and fault handlers that report and exit instead of hanging. */
#include <stdint.h>

#include "semihost.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int main(void);
void Reset_Handler(void);
void Fault_Handler(void);

/** Word written over the unused stack at reset. */
#define STACK_PAINT 0xA5A5A5A5u

void Reset_Handler(void) {
  for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
  for (uint32_t *d = __bss_start; d < __bss_end;) *d++ = 0;
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *d = __stack_limit; d < sp - 16;) *d++ = STACK_PAINT;
  semihost_exit(main());
}

size_t stack_high_water(void) {
  uint32_t *d = __stack_limit;
  while (d < __stack_top && *d == STACK_PAINT) d++;
  return (size_t)((char *)__stack_top - (char *)d);
}

void Fault_Handler(void) {
  semihost_write("FAIL hard fault (stack overflow or bad access)\n0 passed, 1 failed\n");
  semihost_exit(1);
}

__attribute__((section(".vectors"), used)) static void *const vectors[16] = {
  __stack_top,   /* initial SP */
  Reset_Handler, /* reset */
  Fault_Handler, /* NMI */
  Fault_Handler, /* HardFault */
  Fault_Handler, /* MemManage */
  Fault_Handler, /* BusFault */
  Fault_Handler, /* UsageFault */
  0, 0, 0, 0,
  Fault_Handler, /* SVCall */
  Fault_Handler, /* DebugMonitor */
  0,
  Fault_Handler, /* PendSV */
  Fault_Handler, /* SysTick */
};
