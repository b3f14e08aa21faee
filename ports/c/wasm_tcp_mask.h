/* Masked linear memory for the wasm2c output (included by it after ports/c/mask.sed; docs/porting.md
 * "Masked memory"): SFI-style sandboxing instead of a bounds check at every load and store.
 *
 * Each memory is one reservation of WTCP_MEM_BYTES (a power of two, fixed at build time) plus a guard of
 * WTCP_MEM_GUARD bytes, allocated whole at instantiation. A load or store at dynamic address `base` and
 * static offset `off` touches reservation[(base & (WTCP_MEM_BYTES - 1)) + off], which always lies
 * inside the reservation and its guard (the rewrite step defines WTCP_MEM_MAX_OFFSET, the largest
 * offset in the module). memory.grow grows inside the reservation and fails beyond it.
 *
 * Semantics differ from wasm only for an access that would have trapped (at or past memory.size): it
 * wraps or lands in the guard instead of trapping. It never leaves the reservation. */
#ifndef WASM_TCP_MASK_H
#define WASM_TCP_MASK_H

#include <stdlib.h>
#include <string.h>

#ifndef WTCP_MEM_BYTES
#define WTCP_MEM_BYTES 65536u
#endif
#if WTCP_MEM_BYTES < 65536u || (WTCP_MEM_BYTES & (WTCP_MEM_BYTES - 1)) != 0
#error "WTCP_MEM_BYTES: a power of two of at least one 64 KiB page"
#endif
#ifndef WTCP_MEM_MAX_OFFSET
#error "WTCP_MEM_MAX_OFFSET: defined by the rewrite step (ports/wasm2c.mk)"
#endif
#if WABT_BIG_ENDIAN
#error "masked memory: little-endian targets only"
#endif

#define WTCP_MEM_MASK (WTCP_MEM_BYTES - 1u)
/** Past the mask: the largest static offset plus the widest access (8 bytes) less the byte at the mask. */
#define WTCP_MEM_GUARD ((WTCP_MEM_MAX_OFFSET) + 7u)
#define WTCP_PAGE_BYTES 65536u

static void wtcp_mask_allocate(wasm_rt_memory_t* mem, uint32_t initial_pages, uint32_t max_pages) {
  uint32_t most = WTCP_MEM_BYTES / WTCP_PAGE_BYTES;
  mem->data = initial_pages <= most ? calloc((size_t)WTCP_MEM_BYTES + WTCP_MEM_GUARD, 1) : NULL;
  mem->pages = mem->data ? initial_pages : 0;
  mem->size = mem->pages * WTCP_PAGE_BYTES;
  mem->max_pages = max_pages < most ? max_pages : most;
}

/** memory.grow inside the reservation: the new pages are cleared (a masked stray store may have hit them). */
static uint32_t wtcp_mask_grow(wasm_rt_memory_t* mem, uint32_t delta) {
  uint32_t old = mem->pages;
  if (delta > mem->max_pages - old) return (uint32_t)-1;
  memset(mem->data + mem->size, 0, (size_t)delta * WTCP_PAGE_BYTES);
  mem->pages = old + delta;
  mem->size = mem->pages * WTCP_PAGE_BYTES;
  return old;
}

#define WTCP_MASKED_AT(mem, base, off) (&(mem)->data[((base) & WTCP_MEM_MASK) + (off)])

#define WTCP_MASKED_LOAD(name, t1, t2, t3)                                \
  static inline t3 m_##name(wasm_rt_memory_t* mem, u32 base, u32 off) {   \
    t1 result;                                                            \
    wasm_rt_memcpy(&result, WTCP_MASKED_AT(mem, base, off), sizeof(t1));  \
    return (t3)(t2)result;                                                \
  }

#define WTCP_MASKED_STORE(name, t1, t2)                                          \
  static inline void m_##name(wasm_rt_memory_t* mem, u32 base, u32 off, t2 value) { \
    t1 wrapped = (t1)value;                                                      \
    wasm_rt_memcpy(WTCP_MASKED_AT(mem, base, off), &wrapped, sizeof(t1));        \
  }

WTCP_MASKED_LOAD(i32_load, u32, u32, u32)
WTCP_MASKED_LOAD(i64_load, u64, u64, u64)
WTCP_MASKED_LOAD(f32_load, f32, f32, f32)
WTCP_MASKED_LOAD(f64_load, f64, f64, f64)
WTCP_MASKED_LOAD(i32_load8_s, s8, s32, u32)
WTCP_MASKED_LOAD(i64_load8_s, s8, s64, u64)
WTCP_MASKED_LOAD(i32_load8_u, u8, u32, u32)
WTCP_MASKED_LOAD(i64_load8_u, u8, u64, u64)
WTCP_MASKED_LOAD(i32_load16_s, s16, s32, u32)
WTCP_MASKED_LOAD(i64_load16_s, s16, s64, u64)
WTCP_MASKED_LOAD(i32_load16_u, u16, u32, u32)
WTCP_MASKED_LOAD(i64_load16_u, u16, u64, u64)
WTCP_MASKED_LOAD(i64_load32_s, s32, s64, u64)
WTCP_MASKED_LOAD(i64_load32_u, u32, u64, u64)
WTCP_MASKED_STORE(i32_store, u32, u32)
WTCP_MASKED_STORE(i64_store, u64, u64)
WTCP_MASKED_STORE(f32_store, f32, f32)
WTCP_MASKED_STORE(f64_store, f64, f64)
WTCP_MASKED_STORE(i32_store8, u8, u32)
WTCP_MASKED_STORE(i32_store16, u16, u32)
WTCP_MASKED_STORE(i64_store8, u8, u64)
WTCP_MASKED_STORE(i64_store16, u16, u64)
WTCP_MASKED_STORE(i64_store32, u32, u64)

#endif /* WASM_TCP_MASK_H */
