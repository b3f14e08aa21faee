# Masked linear memory (ports/wasm2c.mk MEMORY=masked; docs/porting.md "Masked memory"): rewrites wasm2c
# 1.0.32's output so that every load and store goes through ports/c/wasm_tcp_mask.h, which masks the
# dynamic address into the reservation instead of checking it. The static offset stays separate, so
# that the C compiler folds it into the addressing mode; the reservation has a guard after it that
# covers the largest offset. A load or store with an offset:
s/\([a-z0-9]*_\(load\|store\)[a-z0-9_]*\)(&instance->w2c_memory, (u64)(\([a-z0-9_]*\)) + \([0-9]*\)u/m_\1(\&instance->w2c_memory, \3, \4u/g
# ... and without one.
s/\([a-z0-9]*_\(load\|store\)[a-z0-9_]*\)(&instance->w2c_memory, (u64)(\([a-z0-9_]*\))/m_\1(\&instance->w2c_memory, \3, 0u/g
# The reservation: allocated whole at instantiation, grown inside it, never beyond.
s/\bwasm_rt_allocate_memory(&instance->w2c_memory,/wtcp_mask_allocate(\&instance->w2c_memory,/
s/\bwasm_rt_grow_memory(&instance->w2c_memory,/wtcp_mask_grow(\&instance->w2c_memory,/
# The masked helpers, after wasm2c's own (which memory.fill, memory.copy and the data segments still use).
/^DEFINE_STORE(i64_store32, u32, u64)$/a #include "wasm_tcp_mask.h"
