/* ARM semihosting (QEMU -semihosting): console output and exit status, plus the RAM figures. */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stddef.h>

/** Writes a NUL-terminated string to the host's console (SYS_WRITE0). */
void semihost_write(const char *s);
/** Ends the program with `status` as QEMU's exit code (SYS_EXIT_EXTENDED). */
__attribute__((noreturn)) void semihost_exit(int status);
/** Bytes of heap handed out by _sbrk so far (newlib's malloc never gives them back). */
size_t heap_high_water(void);
/** Most bytes of stack used so far (startup.c paints it at reset). */
size_t stack_high_water(void);

#endif /* SEMIHOST_H */
