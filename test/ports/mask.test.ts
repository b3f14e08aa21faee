// Masked linear memory (ports/c/mask.sed, ports/c/wasm_tcp_mask.h, docs/porting.md "Masked memory"): a
// probe module of out-of-range loads and stores through wasm2c, checked (each traps) and masked by the
// same rewrite as the engine (each stays inside the reservation: AddressSanitizer aborts the run on any
// byte outside it, and the probe checks where each value landed). The rewrite's depth.awk keeps the call
// depth counter on the probe's cycle of calls only, and a runaway recursion still traps.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describePort, PROBE } from './toolchain.js';

const BUILD_AND_RUN_MS = 120_000;

describePort('masked memory probe (make -C ports/c mask-probe)', PROBE, () => {
  it('traps out-of-range accesses when checked, keeps them inside the reservation when masked', () => {
    const r = spawnSync('make', ['-s', '-C', 'ports/c', 'mask-probe'], { encoding: 'utf8', timeout: BUILD_AND_RUN_MS - 10_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect(out).not.toMatch(/AddressSanitizer|FAIL/);
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/^11 passed, 0 failed$/m);
    expect(out).toMatch(/^13 passed, 0 failed$/m);
    for (const check of [
      'PASS [checked] store64 at 0xffffffff + 1000 traps',
      'PASS [masked] store32 at 128 KiB + 5 wraps to 5',
      "PASS [masked] store64 at 0xffffffff + 1000 ends on the guard's last byte",
      'PASS [masked] grow beyond the reservation fails',
      'PASS [masked] a recursion 100000 calls deep traps',
    ]) {
      expect(out).toContain(check);
    }
    // Of the probe's 11 functions only the two that call each other still count the depth.
    const counters = (file: string) => readFileSync(`build/ports/mask-probe/${file}`, 'utf8').match(/^ {2}FUNC_PROLOGUE;$/gm)?.length;
    expect(counters('probe.c')).toBe(11);
    expect(counters('probe.masked.c')).toBe(2);
  }, BUILD_AND_RUN_MS);
});
