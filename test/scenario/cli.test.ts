// `wasm-tcp scenario(s)` and the tour: output formats, files, usage errors (exit 2).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseLoss, parseSeed, run as scenario } from '../../src/cli/scenario.js';
import { run as scenarios } from '../../src/cli/scenarios.js';
import { run as tour } from '../../src/cli/tour.js';
import { SCENARIOS } from '../../src/scenario/scenarios.js';

/** Runs a command and captures what it printed. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out += `${a.join(' ')}\n`; });
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err += `${a.join(' ')}\n`; });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  const code = await fn();
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('wasm-tcp scenarios', () => {
  it('lists every scenario with its description', async () => {
    const { code, out } = await capture(() => scenarios([]));
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(SCENARIOS.length);
    for (const s of SCENARIOS) expect(out).toMatch(new RegExp(`^${s.name}\\s+${s.description.replace(/[()]/g, '\\$&')}$`, 'm'));
  });
  it('rejects unknown flags with exit 2', async () => {
    const { code, err } = await capture(() => scenarios(['--bogus']));
    expect(code).toBe(2);
    expect(err).toContain('--bogus');
  });
});

describe('wasm-tcp scenario', () => {
  it('prints a ladder without colour when stdout is not a TTY', async () => {
    const { code, out } = await capture(() => scenario(['close']));
    expect(code).toBe(0);
    expect(out).toContain('FIN_WAIT_1');
    expect(out).toMatch(/^client\s+CLOSED, no error, sent \d+ B, received \d+ B$/m);
    expect(out).not.toContain('\x1b[');
  });

  it('colours the ladder on a TTY unless NO_COLOR or --no-color', async () => {
    const had = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    try {
      expect((await capture(() => scenario(['port-closed']))).out).toContain('\x1b[');
      expect((await capture(() => scenario(['port-closed', '--no-color']))).out).not.toContain('\x1b[');
      vi.stubEnv('NO_COLOR', '1');
      expect((await capture(() => scenario(['port-closed']))).out).not.toContain('\x1b[');
    } finally {
      vi.unstubAllEnvs();
      if (had) Object.defineProperty(process.stdout, 'isTTY', had);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
  });

  it('--json prints exactly one object with the documented keys', async () => {
    const { code, out } = await capture(() => scenario(['port-closed', '--json', '--seed', '7']));
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(Object.keys(j)).toEqual(['scenario', 'seed', 'segments', 'transitions', 'outcome']);
    expect(j.scenario).toBe('port-closed');
    expect(j.seed).toBe(7);
    expect(j.segments.map((s: { flags: string }) => s.flags)).toEqual(['S', 'R.']);
    expect(j.outcome.client).toEqual({ state: 'CLOSED', error: 'ECONNREFUSED' });
  });

  it('--pcap and --html write files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-cli-'));
    try {
      const pcap = join(dir, 'x.pcap');
      const html = join(dir, 'x.html');
      const { code, err } = await capture(() => scenario(['handshake', '--pcap', pcap, '--html', html]));
      expect(code).toBe(0);
      expect(err).toContain('wrote');
      expect(readFileSync(pcap).readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<svg[\s\S]*SYN_RCVD/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--pcap: the note on stderr is a line of its own, before the ladder, when both streams share one file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-cli-'));
    try {
      const pcap = join(dir, 'F');
      const log = join(dir, 'out');
      const fd = openSync(log, 'w');
      try {
        const r = spawnSync(process.execPath, ['dist/cli.js', 'scenario', 'network-outage', '--pcap', pcap], { stdio: ['ignore', fd, fd] });
        expect(r.status).toBe(0);
      } finally {
        closeSync(fd);
      }
      const lines = readFileSync(log, 'utf8').split('\n');
      expect(lines[0]).toBe(`wrote ${pcap} (35 packets)`);
      expect(lines.at(-2)).toBe('virtual time 15 min 27 s, 19 segments, 16 dropped');
      expect(lines.at(-1)).toBe('');
      expect(lines.filter((l) => l.includes('wrote'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file that cannot be written: exit 1, one error line, nothing on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-cli-'));
    try {
      const { code, out, err } = await capture(() => scenario(['close', '--pcap', join(dir, 'no-such-dir', 'x.pcap')]));
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toMatch(/^wasm-tcp scenario: cannot write: .*no-such-dir/);
      expect(err.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown option names it in one line and lists the valid options', async () => {
    const { code, err } = await capture(() => scenario(['close', '--bogus']));
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe("wasm-tcp scenario: Unknown option '--bogus'");
    expect(err).toMatch(/^valid options: --seed N, --json, --pcap FILE, --html FILE, --loss P/m);
  });

  it('--loss changes the run', async () => {
    const a = await capture(() => scenario(['lossy-bulk', '--json', '--loss', '0']));
    const b = await capture(() => scenario(['lossy-bulk', '--json', '--loss', '10%']));
    expect(JSON.parse(a.out).segments.some((s: { dropped: boolean }) => s.dropped)).toBe(false);
    expect(JSON.parse(b.out).segments.some((s: { dropped: boolean }) => s.dropped)).toBe(true);
  });

  it.each([
    [['nope'], "unknown scenario 'nope'"],
    [[], 'missing scenario name'],
    [['close', 'handshake'], 'expected one scenario name'],
    [['close', '--seed', 'x'], '--seed'],
    [['close', '--seed', '-1'], "--seed must be an integer from 0 to 4294967295, got '-1'"],
    [['close', '--loss', '1.5'], '--loss'],
    [['close', '--loss', '-1'], '--loss'],
    [['close', '--pcap'], '--pcap'],
    [['close', '--html='], '--html need a file name'],
    [['close', '--frobnicate'], 'frobnicate'],
    [['close', '--kernel=both'], "--kernel takes client or server, got 'both'"],
    [['close', '--kernel', 'both'], "--kernel takes client or server, got 'both'"],
    [['--kernel', 'nope'], "unknown scenario 'nope'"],
  ])('usage error %j → exit 2 listing the valid scenarios', async (argv, msg) => {
    const { code, out, err } = await capture(() => scenario(argv as string[]));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(msg);
    expect(err).toContain('half-close');
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('parses seeds and loss probabilities strictly', () => {
    expect(parseSeed('42')).toBe(42);
    expect(parseSeed('0x10')).toBe(16);
    expect(parseSeed('4294967296')).toBeUndefined();
    expect(parseSeed('1.5')).toBeUndefined();
    expect(parseLoss('0.05')).toBe(0.05);
    expect(parseLoss('5%')).toBeCloseTo(0.05, 10);
    expect(parseLoss('1')).toBeUndefined();
    expect(parseLoss('-0.1')).toBeUndefined();
    expect(parseLoss('abc')).toBeUndefined();
  });
});

describe('wasm-tcp tour', () => {
  it('runs every scenario with one summary line each, then points at the details', async () => {
    const { code, out } = await capture(() => tour([]));
    expect(code).toBe(0);
    for (const s of SCENARIOS) expect(out).toMatch(new RegExp(`^\\s+${s.name}\\s+client \\S+.*server \\S+.*\\d`, 'm'));
    expect(out).toMatch(/^\s+server-crash\s+client CLOSED ETIMEDOUT/m);
    expect(out).toContain('wasm-tcp scenario close');
    expect(out).toContain('--html');
    expect(out).toContain('wasm-tcp web');
    expect(out).toMatch(/http:\/\/127\.0\.0\.1:\d+\//);
  });
});
