/* The C test program on a bare-metal Cortex-M4 (QEMU mps2-an386): the cases with the MCU profile,
 * then the RAM used, then `N passed, N failed`; the exit status reaches QEMU through semihosting. */
#include <stdio.h>

#include "cases.h"
#include "semihost.h"
#include "wasm_tcp.h"

extern char __image_start[], __data_start[], __bss_end[], __heap_start[], __heap_end[], __stack_limit[], __stack_top[];

void port_print(const char *line) {
  semihost_write(line);
  semihost_write("\n");
}

void wtcp_on_trap(const char *reason) {
  semihost_write("FAIL engine trap: ");
  semihost_write(reason);
  semihost_write("\n0 passed, 1 failed\n");
  semihost_exit(1);
}

int main(void) {
  char line[200];
  int passed = 0, failed = 0;
  cases_run("mcu", &passed, &failed);
  snprintf(line, sizeof line, "RAM %lu KiB: code+constants %lu B, data+bss %lu B, heap high-water %lu B of %lu B, "
           "stack high-water %lu B of %lu B", (unsigned long)(__stack_top - __image_start) / 1024,
           (unsigned long)(__data_start - __image_start), (unsigned long)(__bss_end - __data_start),
           (unsigned long)heap_high_water(), (unsigned long)(__heap_end - __heap_start),
           (unsigned long)stack_high_water(), (unsigned long)(__stack_top - __stack_limit));
  port_print(line);
  snprintf(line, sizeof line, "%d passed, %d failed", passed, failed);
  port_print(line);
  return failed == 0 && passed > 0 ? 0 : 1;
}
