/* The C test program on a POSIX host: runs the cases with each profile named on the command line
 * (default: host mcu), then prints `N passed, N failed`; exits 0 only when every case passed. */
#include <stdio.h>
#include <stdlib.h>

#include "cases.h"
#include "wasm_tcp.h"

void port_print(const char *line) {
  puts(line);
  fflush(stdout);
}

void wtcp_on_trap(const char *reason) {
  printf("FAIL engine trap: %s\n0 passed, 1 failed\n", reason);
  exit(1);
}

int main(int argc, char **argv) {
  static const char *const defaults[] = { "host", "mcu" };
  const char *const *names = argc > 1 ? (const char *const *)argv + 1 : defaults;
  int count = argc > 1 ? argc - 1 : 2;
  int passed = 0, failed = 0;
  for (int i = 0; i < count; i++) {
    if (cases_run(names[i], &passed, &failed) != 0) {
      fprintf(stderr, "unknown profile '%s' (known: host, mcu)\n", names[i]);
      return 2;
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
