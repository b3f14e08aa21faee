/* wasm2c's float-to-integer conversion macros, its float promotion and demotion and f64.min/max as functions (included by the wasm2c output after
 * ports/c/outline.sed; docs/porting.md "Masked memory"): the same NaN and range tests, the same traps,
 * once each instead of at every call site. */
#ifndef WASM_TCP_OUTLINE_H
#define WASM_TCP_OUTLINE_H

#ifdef __GNUC__
#define WTCP_NOINLINE __attribute__((noinline))
#else
#define WTCP_NOINLINE
#endif

#define WTCP_OUTLINE(name, rt, ft) \
  static WTCP_NOINLINE rt wtcp_##name(ft x) { return name(x); }

/* Each conversion `op` from f32 and f64 to i32 and i64. */
#define WTCP_OUTLINE_ALL(op)                                                              \
  WTCP_OUTLINE(I32_##op##_F32, u32, f32) WTCP_OUTLINE(I64_##op##_F32, u64, f32)          \
  WTCP_OUTLINE(I32_##op##_F64, u32, f64) WTCP_OUTLINE(I64_##op##_F64, u64, f64)

WTCP_OUTLINE_ALL(TRUNC_S)
WTCP_OUTLINE_ALL(TRUNC_U)
WTCP_OUTLINE_ALL(TRUNC_SAT_S)
WTCP_OUTLINE_ALL(TRUNC_SAT_U)

/* f64.promote_f32 and f32.demote_f64 as wasm2c writes them inline (a NaN made quiet, then the cast). */
static WTCP_NOINLINE f64 wtcp_F64_PROMOTE_F32(f32 x) { return (f64)wasm_quietf(x); }
static WTCP_NOINLINE f32 wtcp_F32_DEMOTE_F64(f64 x) { return (f32)wasm_quiet(x); }
/* f64.min and f64.max: wasm2c's FMIN/FMAX (NaN and signed zero as wasm has them). */
static WTCP_NOINLINE f64 wtcp_F64_MIN(f64 x, f64 y) { return FMIN(x, y); }
static WTCP_NOINLINE f64 wtcp_F64_MAX(f64 x, f64 y) { return FMAX(x, y); }

#endif /* WASM_TCP_OUTLINE_H */
