import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureConsole } from '../support/console.js';
import { parseBytes, parseProbability, run } from '../../src/cli/transfer.js';

const capture = captureConsole;

describe('wasm-tcp transfer', () => {
  afterEach(() => vi.restoreAllMocks());

  it('--json prints one object with both directions and exits 0 when bit-exact', async () => {
    const { out } = capture();
    const code = await run(['--bytes', '200k', '--loss', '2%', '--dup', '0.01', '--seed', '3', '--json']);
    expect(code).toBe(0);
    expect(out.length).toBe(1);
    const r = JSON.parse(out[0]);
    expect(Object.keys(r)).toEqual(['bytes', 'sha256Sent', 'sha256Received', 'retransmits', 'virtualSeconds', 'memoryGrew']);
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

  it('the sha256 of each direction is that of the bytes actually sent (independent hash)', async () => {
    const { out } = capture();
    expect(await run(['--bytes', '50k', '--seed', '9', '--json'])).toBe(0);
    const r = JSON.parse(out[0]);
    for (const dir of ['clientToServer', 'serverToClient']) expect(r.sha256Sent[dir]).toMatch(/^[0-9a-f]{64}$/);
    expect(r.sha256Sent.clientToServer).not.toBe(r.sha256Sent.serverToClient);
    expect(r.sha256Sent.clientToServer).not.toBe(createHash('sha256').update(new Uint8Array(50_000)).digest('hex'));
  });

  it('an unwritable --pcap path is one clear error line, exit 1', async () => {
    const { out, err } = capture();
    expect(await run(['--bytes', '1k', '--pcap', '/nonexistent-dir/x.pcap'])).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(['wasm-tcp transfer: cannot write --pcap /nonexistent-dir/x.pcap: ENOENT']);
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
