/* The masking probe's driver (test/ports/mask.test.ts): runs probe.wat through wasm2c, checked or masked
 * (-DPROBE_MASKED, the output rewritten by ports/c/mask.sed, a 128 KiB reservation), built with
 * AddressSanitizer so that any byte touched outside the allocation aborts the run. Prints one PASS/FAIL
 * line a check and `N passed, N failed`; exits 0 only when all pass. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "wasm-rt-impl.h"

#ifdef PROBE_MASKED
#define MODE "masked"
#else
#define MODE "checked"
#endif

static Z_probe_instance_t inst;
static int passed, failed;

static void check(int ok, const char *what) {
  printf("%s [%s] %s\n", ok ? "PASS" : "FAIL", MODE, what);
  if (ok) passed++; else failed++;
}

static uint8_t *mem(void) { return Z_probeZ_memory(&inst)->data; }

/* RUN(stmt) runs wasm calls under wasm_rt_impl_try; `trapped` tells whether one trapped (out of bounds). */
static int trapped;
static u32 v32;
static u64 v64;
#define RUN(stmt)                                                                 \
  do {                                                                            \
    trapped = 0;                                                                  \
    if (wasm_rt_impl_try() != 0) trapped = 1;                                     \
    else { stmt; }                                                                \
  } while (0)

int main(void) {
  wasm_rt_init();
  Z_probe_init_module();
  Z_probe_instantiate(&inst);
  check(mem() != NULL && Z_probeZ_size(&inst) == 1, "one page at instantiation");

  /* In range: the same in both modes. */
  RUN(Z_probeZ_store32(&inst, 100, 0x11223344u); v32 = Z_probeZ_load32(&inst, 100));
  check(!trapped && v32 == 0x11223344u && Z_probeZ_load8(&inst, 100) == 0x44, "in range: store32, load32, load8");
  RUN(Z_probeZ_store64far(&inst, 8, 0x0102030405060708ull); v64 = Z_probeZ_load64far(&inst, 8));
  check(!trapped && v64 == 0x0102030405060708ull && mem()[1008] == 0x08, "in range: offset 1000");
  RUN(Z_probeZ_store32(&inst, 65532, 0xA1B2C3D4u); Z_probeZ_store16far(&inst, 65536 - 335, 0xBEEF));
  check(!trapped && Z_probeZ_load8(&inst, 65534) == 0xEF && Z_probeZ_load8(&inst, 65535) == 0xBE, "in range: the last bytes");

#ifndef PROBE_MASKED
  /* Checked: each of these is out of range and traps. */
  RUN(Z_probeZ_store32(&inst, 65533, 1));
  check(trapped, "store32 across the end traps");
  RUN(Z_probeZ_load8(&inst, 65536));
  check(trapped, "load8 at the end traps");
  RUN(Z_probeZ_store64far(&inst, 0xFFFFFFFFu, 1));
  check(trapped, "store64 at 0xffffffff + 1000 traps");
  RUN(Z_probeZ_load64far(&inst, 65536 - 1007));
  check(trapped, "load64 across the end traps");
  check(Z_probeZ_grow(&inst, 1) == 1 && Z_probeZ_grow(&inst, 2) == 2 && Z_probeZ_size(&inst) == 4, "grows to its maximum");
#else
  /* Masked (128 KiB reservation, mask 0x1ffff, guard 1007 B): no trap, every byte inside the allocation
   * (AddressSanitizer), each value where the mask puts it. */
  RUN(Z_probeZ_store32(&inst, 0x20005u, 0xCAFEF00Du));
  check(!trapped && Z_probeZ_load32(&inst, 5) == 0xCAFEF00Du, "store32 at 128 KiB + 5 wraps to 5");
  RUN(Z_probeZ_store32(&inst, 0xFFFFFFFDu, 0x55667788u));
  check(!trapped && memcmp(mem() + 0x1FFFD, "\x88\x77\x66\x55", 4) == 0, "store32 at 0xfffffffd lands at 0x1fffd, across into the guard");
  RUN(Z_probeZ_store64far(&inst, 0xFFFFFFFFu, 0x8877665544332211ull); v64 = Z_probeZ_load64far(&inst, 0xFFFFFFFFu));
  check(!trapped && v64 == 0x8877665544332211ull && mem()[0x1FFFF + 1000 + 7] == 0x88, "store64 at 0xffffffff + 1000 ends on the guard's last byte");
  RUN(Z_probeZ_store16far(&inst, 0xFFFFFFFFu, 0x1234));
  check(!trapped && mem()[0x1FFFF + 333] == 0x34, "store16 at 0xffffffff + 333 inside the guard");
  RUN(Z_probeZ_store32(&inst, 0x10008u, 0xAAAAAAAAu));
  check(!trapped && Z_probeZ_size(&inst) == 1 && mem()[0x10008] == 0xAA, "a store past memory.size stays in the reservation");
  check(Z_probeZ_grow(&inst, 1) == 1 && Z_probeZ_size(&inst) == 2 && Z_probeZ_load32(&inst, 0x10008u) == 0,
        "grow inside the reservation clears the new page");
  check(Z_probeZ_grow(&inst, 1) == 0xFFFFFFFFu && Z_probeZ_size(&inst) == 2, "grow beyond the reservation fails");
#endif
  /* Both modes: the depth counter still stops a runaway recursion (masked: kept on the cycle's functions). */
  RUN(v32 = Z_probeZ_deep(&inst, 100));
  check(!trapped && v32 == 100, "a recursion 100 calls deep");
  RUN(v32 = Z_probeZ_deep(&inst, 100000));
  check(trapped, "a recursion 100000 calls deep traps");
  Z_probe_free(&inst);
  wasm_rt_free();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
