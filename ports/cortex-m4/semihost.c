/* Semihosting calls and the two newlib system calls the image needs: _sbrk (malloc's heap, bounded by
 * the linker script's 256 KiB RAM region) and _exit. The rest come from newlib's nosys stubs. */
#include "semihost.h"

#include <errno.h>
#include <stdint.h>

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int semihost_call(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void semihost_write(const char *s) { semihost_call(SYS_WRITE0, s); }

void semihost_exit(int status) {
  uint32_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status };
  for (;;) semihost_call(SYS_EXIT_EXTENDED, block);
}

void _exit(int status) { semihost_exit(status); }

extern char __heap_start[], __heap_end[];
static char *heap_top = __heap_start;

void *_sbrk(ptrdiff_t incr) {
  char *prev = heap_top;
  if (incr > __heap_end - heap_top || incr < __heap_start - heap_top) {
    errno = ENOMEM;
    return (void *)-1;
  }
  heap_top += incr;
  return prev;
}

size_t heap_high_water(void) { return (size_t)(heap_top - __heap_start); }
