import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseBytes, parseProbability, run } from '../../src/cli/transfer.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out, err };
}

describe('wasm-tcp transfer', () => {
  afterEach(() => vi.restoreAllMocks());

  it('--json prints one object with both directions and exits 0 when bit-exact', async () => {
    const { out } = capture();
    const code = await run(['--bytes', '200k', '--loss', '2%', '--dup', '0.01', '--seed', '3', '--json']);
    expect(code).toBe(0);
    expect(out.length).toBe(1);
    const r = JSON.parse(out[0]);
    expect(r.bytes).toBe(200_000);
    expect(Object.keys(r.sha256Sent)).toEqual(['clientToServer', 'serverToClient']);
    expect(r.sha256Received).toEqual(r.sha256Sent);
    expect(r.memoryGrew).toBe(false);
    expect(typeof r.retransmits).toBe('number');
    expect(r.virtualSeconds).toBeGreaterThan(0);
  });

  it.each([
    [['--bytes', 'lots']], [['--bytes', '10', '--loss', '1.5']], [['--bytes', '10', '--dup', '-1']],
    [['--bytes', '10', '--mss', '10']], [['--bytes', '10', '--nope']], [[]], [['--bytes', '10', '--seed', 'x']],
  ])('bad usage %j: one clear line on stderr, exit 2', async (argv) => {
    const { out, err } = capture();
    expect(await run(argv)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^wasm-tcp transfer: .+/);
    expect(err.join('\n')).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('parses byte counts and probabilities', () => {
    expect(parseBytes('20M')).toBe(20_000_000);
    expect(parseBytes('4Mi')).toBe(4 * 1024 * 1024);
    expect(parseBytes('1500')).toBe(1500);
    expect(parseProbability('loss', '5%')).toBeCloseTo(0.05, 12);
    expect(parseProbability('loss', '0.05')).toBe(0.05);
    expect(() => parseProbability('loss', '101%')).toThrow(/between 0 and 1/);
  });
});
