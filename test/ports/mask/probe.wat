;; The masking probe (test/ports/mask.test.ts, ports/c/Makefile `mask-probe`): loads and stores of every
;; width at an address from the caller, with and without a static offset, memory.grow, and a recursion.
;; Through wasm2c, checked (out-of-range accesses trap) and masked (ports/c/mask.sed: they stay in the
;; reservation; ports/c/depth.awk: only the recursive function counts the call depth).
(module
  (memory (export "memory") 1 4)
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load64far") (param i32) (result i64) (i64.load offset=1000 (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store16far") (param i32 i32) (i32.store16 offset=333 (local.get 0) (local.get 1)))
  (func (export "store64far") (param i32 i64) (i64.store offset=1000 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  ;; n levels deep through two functions (a cycle of calls): depth n, or a trap past the depth limit.
  (func $even (export "deep") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (call $odd (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0))))
  (func $odd (param i32) (result i32)
    (i32.add (call $even (local.get 0)) (i32.const 1))))
