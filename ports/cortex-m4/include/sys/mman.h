/* Bare-metal stand-in for <sys/mman.h>, which newlib lacks. wasm-rt-impl.c includes it for its mmap
 * memory mode; built with WASM_RT_MEMCHECK_SIGNAL_HANDLER=0 it never calls these (memory comes from
 * calloc), so they are only declared. */
#ifndef PORTS_SYS_MMAN_H
#define PORTS_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

#endif /* PORTS_SYS_MMAN_H */
