# Out-of-line float-to-integer conversions (the masked build's rewrite, ports/wasm2c.mk; docs/porting.md
# "Masked memory"): wasm2c 1.0.32 expands each i32/i64.trunc[_sat] as a macro of NaN and range tests,
# which on a soft-float target are several library calls at every site. ports/c/wasm_tcp_outline.h
# defines each as one function of the same macro; the call sites, not the macros, are renamed.
/^#define /!s/\b\(I32\|I64\)_TRUNC_\(SAT_\)\{0,1\}\([SU]\)_\(F32\|F64\)(/wtcp_\1_TRUNC_\2\3_\4(/g
# The same for f64.promote_f32 and f32.demote_f64 (a NaN test and a soft-float conversion call each).
s/(f64)wasm_quietf(/wtcp_F64_PROMOTE_F32(/g
s/(f32)wasm_quiet(/wtcp_F32_DEMOTE_F64(/g
# And f64.min / f64.max (wasm2c's FMIN/FMAX macros: two NaN tests, a signed-zero test and the compare, all
# soft-float calls), where both operands are f64 stack values (w2c_d…).
/^#define /!s/\bF\(MIN\|MAX\)(\(w2c_d[0-9_]*\), \(w2c_d[0-9_]*\))/wtcp_F64_\1(\2, \3)/g
/^static inline void memory_fill(/i #include "wasm_tcp_outline.h"
