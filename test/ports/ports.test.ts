// npm run port:c and npm run port:m4 as tests: the portable engine through wasm2c, in a C host built with
// the system gcc and in a bare-metal Cortex-M4 image under QEMU, each running the issue 17 cases and one
// case of the rest of the C API (ports/c/cases.c).
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describePort, NATIVE, CORTEX_M4 } from './toolchain.js';

const CASES = ['transfer', 'peer-crash', 'crash-reboot', 'closed-port', 'api'];
/** A clean tree compiles the wasm2c output first (seconds on a quiet machine, more under load). */
const BUILD_AND_RUN_MS = 300_000;

/**
 * Builds and runs a port (`make -C dir run PROFILE=profile MEMORY=memory`: the engine's compile-time
 * profile, full or tcp, and its linear memory, checked or masked, docs/porting.md; '' = the port's
 * default); expects `count passed, 0 failed` and exit 0; returns the output.
 */
function runPort(dir: string, count: number, profile = 'full', memory = ''): string {
  const args = ['-s', '-C', dir, 'run', `PROFILE=${profile}`, ...(memory ? [`MEMORY=${memory}`] : [])];
  const r = spawnSync('make', args, { encoding: 'utf8', timeout: BUILD_AND_RUN_MS - 10_000 });
  const out = `${r.stdout}${r.stderr}`;
  expect(out).toMatch(new RegExp(`^${count} passed, 0 failed$`, 'm'));
  expect(r.status, out).toBe(0);
  return out;
}

/** The PASS/FAIL lines for `profile`, in order. */
function caseLines(out: string, profile: string): string[] {
  return out.split('\n').filter((l) => /^(PASS|FAIL) \[/.test(l) && l.includes(`[${profile}]`));
}

function expectAllPass(out: string, profile: string): void {
  const lines = caseLines(out, profile);
  expect(lines.map((l) => l.replace(/:.*/, ''))).toEqual(CASES.map((c) => `PASS [${profile}] ${c}`));
  const transfer = lines[0];
  expect(transfer).toMatch(/1 MiB crc32 [0-9a-f]{8}, closed both ways .*TIME_WAIT 60000\.0 ms/);
  expect(lines[1]).toMatch(/15 retransmissions, RTO 200\.0 ms doubling up to 120000\.0 ms, ETIMEDOUT/);
  expect(lines[2]).toMatch(/ECONNRESET/);
  expect(lines[3]).toMatch(/ECONNREFUSED after 2\.0 ms/);
  expect(lines[4]).toMatch(/listen port \d+, \d+ bytes each way in calls larger than the stage area, RST -> ECONNRESET, EOF, EPIPE/);
  // The transfer's packets went as record batches of several packets, each one taken whole, also by an
  // MCU-sized rx area that holds one packet (the glue cuts the batch).
  expect(Number(/batches of up to (\d+)/.exec(transfer)?.[1])).toBeGreaterThan(1);
}

describePort('C port (ports/c, system gcc)', NATIVE, () => {
  it('runs every case with the host and the MCU profile, exits 0', () => {
    const out = runPort('ports/c', 2 * CASES.length);
    expectAllPass(out, 'host');
    expectAllPass(out, 'mcu');
  }, BUILD_AND_RUN_MS);

  it('runs every case on the reduced engine (PROFILE=tcp: TCP + IPv4, NewReno), exits 0', () => {
    const out = runPort('ports/c', 2 * CASES.length, 'tcp');
    expectAllPass(out, 'host');
    expectAllPass(out, 'mcu');
  }, BUILD_AND_RUN_MS);

  it('runs every case with masked memory (MEMORY=masked, a 32 MiB reservation a memory), exits 0', () => {
    const out = runPort('ports/c', 2 * CASES.length, 'full', 'masked');
    expectAllPass(out, 'host');
    expectAllPass(out, 'mcu');
  }, BUILD_AND_RUN_MS);
});

describePort('Cortex-M4 port (ports/cortex-m4, QEMU mps2-an386)', CORTEX_M4, () => {
  // Masked memory by default (no MMU), and wasm2c's bounds checks on request.
  it.each([
    ['full', 'masked'],
    ['tcp', 'masked'],
    ['full', 'checked'],
  ])('runs every case in 256 KiB of RAM under QEMU, exits 0 (PROFILE=%s MEMORY=%s)', (profile, memory) => {
    const out = runPort('ports/cortex-m4', CASES.length, profile, memory);
    expectAllPass(out, 'mcu');
    const ram = /RAM (\d+) KiB: code\+constants (\d+) B, data\+bss (\d+) B, heap high-water (\d+) B of (\d+) B, stack high-water (\d+) B of (\d+) B/.exec(out);
    expect(ram, out).not.toBeNull();
    const [total, code, data, heapUsed, heapSize, stackUsed, stackSize] = ram!.slice(1).map(Number);
    // The whole image, code included, is one 256 KiB region.
    expect(total).toBe(256);
    expect(code + data + heapSize + stackSize).toBeLessThanOrEqual(256 * 1024);
    // Both engines (one 64 KiB page of linear memory each) live in the heap.
    expect(heapUsed).toBeGreaterThan(2 * 65536);
    expect(heapUsed).toBeLessThanOrEqual(heapSize);
    expect(stackUsed).toBeLessThan(stackSize);
  }, BUILD_AND_RUN_MS);
});
