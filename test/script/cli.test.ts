import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { captureConsole } from '../support/console.js';
import { run } from '../../src/cli/script.js';

const capture = captureConsole;

const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const OPEN = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
`;
const pass = file('pass.pkt', OPEN);
const fail = file('fail.pkt', `${OPEN}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 2\n`);
const skip = file('skip.pkt', `${OPEN}+0 %{ print(tcpi_rtt) }%\n`);

describe('wasm-tcp script', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints a verdict per script and the summary; exit 1 when one failed', async () => {
    const { out } = capture();
    expect(await run([pass, fail, skip, '--profile', 'linux'])).toBe(1);
    expect(out[0]).toBe(`PASS ${pass}`);
    expect(out[1]).toMatch(new RegExp(`^FAIL ${fail}:9 ack: expected 2 vs actual 1`));
    expect(out.join('\n')).toMatch(/script: > P\. 1:11\(10\) ack 2/);
    expect(out.join('\n')).toMatch(new RegExp(`SKIP ${skip}:?\\d* .*not evaluated`));
    expect(out[out.length - 1]).toBe('1 passed, 1 failed, 1 skipped');
  });

  it('exits 0 when nothing failed, even with skips', async () => {
    capture();
    expect(await run([pass, skip, '--profile', 'linux'])).toBe(0);
  });

  it('--json prints one object per script and a summary', async () => {
    const { out } = capture();
    expect(await run([pass, fail, '--json', '--profile', 'linux'])).toBe(1);
    const lines = out.map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ file: pass, verdict: 'PASS', line: null });
    expect(lines[1]).toMatchObject({ file: fail, verdict: 'FAIL', line: 9 });
    expect(lines[2]).toEqual({ passed: 1, failed: 1, skipped: 0 });
  });

  it('--verbose prints each event and the packets sent', async () => {
    const { out } = capture();
    await run([pass, '--verbose', '--profile', 'linux']);
    expect(out.join('\n')).toMatch(/0\.000000 {3}sent S\. \d+:\d+\(0\) ack 1/);
    expect(out.join('\n')).toMatch(/0\.100000 accept\(3, \.\.\., \.\.\.\) = 4 {3}\(line 7\)/);
  });

  it.each([
    [[]], [['--profile', 'bsd', pass]], [['--tolerance-usecs', 'x', pass]], [['--nope', pass]],
  ])('bad usage %j: one clear line on stderr, exit 2', async (argv) => {
    const { err } = capture();
    expect(await run(argv)).toBe(2);
    expect(err.join('\n')).toMatch(/^wasm-tcp script: .+/);
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('a missing script file: one clear line on stderr, exit 1 (as every command with a missing input file)', async () => {
    const { err } = capture();
    expect(await run([join(dir, 'missing.pkt')])).toBe(1);
    expect(err).toEqual([`wasm-tcp script: cannot read ${join(dir, 'missing.pkt')}: ENOENT`]);
  });
});
