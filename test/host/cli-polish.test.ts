// CLI polish (issue 11 item 5): --version, one-line errors for unknown commands and negative numbers,
// exit 1 for a missing input file in every command that reads one, TTY-only progress for transfer.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { negativeValues } from '../../src/cli/args.js';
import { progressLine } from '../../src/cli/transfer.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('wasm-tcp CLI polish', () => {
  it('--version (and -V) prints the package version', () => {
    for (const flag of ['--version', '-V']) {
      const r = cli(flag);
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
    }
  });

  it('an unknown command: one line pointing at --help, exit 2', () => {
    const r = cli('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("wasm-tcp: unknown command 'frobnicate' (run 'wasm-tcp --help' for the list)\n");
    expect(cli('constructor').stderr).toMatch(/^wasm-tcp: unknown command 'constructor'/); // not an Object.prototype key
  });

  it.each([
    [['transfer', '--bytes', '-5'], /^wasm-tcp transfer: --bytes: must be 0 or more, got '-5' \(see wasm-tcp transfer --help\)\n$/],
    [['transfer', '--bytes', '10', '--loss', '-0.1'], /^wasm-tcp transfer: --loss: must be between 0 and 1 .*got '-0.1'/],
    [['transfer', '--bytes', '10', '--mss', '-1'], /^wasm-tcp transfer: --mss: must be between 64 and 65495, got -1/],
    [['transfer', '--bytes', '10', '--seed', '-3'], /^wasm-tcp transfer: --seed: must be between 0 and 4294967295, got -3/],
    [['script', '--tolerance-usecs', '-5', 'x.pkt'], /^wasm-tcp script: --tolerance-usecs must be a non-negative integer\n$/],
    [['web', '--port', '-1'], /^wasm-tcp web: --port must be an integer 0\.\.65535, got '-1'\n$/],
    [['tun', 'echo', '--port', '-5'], /^wasm-tcp tun: --port must be a whole number, got '-5'/],
  ])('a negative number gets the command\'s own one-line message: %j', (args, message) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/ambiguous/);
  });

  it.each([
    [['decode', '/nonexistent/capture.pcap']],
    [['script', '/nonexistent/test.pkt']],
    [['tun', 'serve', '/nonexistent/file', '--port', '80']],
  ])('a missing input file exits 1 with one line: %j', (args) => {
    const r = cli(...args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nonexistent/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('negativeValues joins only options that take a value', () => {
    const opts = { bytes: { type: 'string' }, json: { type: 'boolean' }, port: { type: 'string', short: 'p' } } as const;
    expect(negativeValues(['--bytes', '-5', '--json', '-p', '-1', '--bytes=-2', 'x'], opts)).toEqual(['--bytes=-5', '--json', '--port=-1', '--bytes=-2', 'x']);
    expect(negativeValues(['--bytes', '-x'], opts)).toEqual(['--bytes', '-x']); // not a number: parseArgs decides
  });

  it('transfer progress: percent, MB/s and virtual time on a TTY after a while; nothing on a pipe', () => {
    let t = 0;
    const tty: string[] = [];
    const bar = progressLine({ isTTY: true, write: (s: string) => tty.push(s) }, () => t);
    bar.update!(0, 100, 0); // too early
    t = 600;
    bar.update!(30_000_000, 100_000_000, 2500);
    t = 650;
    bar.update!(40_000_000, 100_000_000, 3000); // too soon after the last one
    bar.clear();
    expect(tty).toEqual(['\rtransfer: 30%  50.0 MB/s  virtual 2.5 s\x1b[K', '\r\x1b[K']);
    expect(progressLine({ isTTY: false, write: () => {} }).update).toBeUndefined();
  });

  it('a long transfer shows progress on a terminal (script(1) gives it one), never with --json or piped', () => {
    const args = ['transfer', '--bytes', '60M'];
    const piped = cli(...args);
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    const tty = spawnSync('script', ['-qec', `${process.execPath} dist/cli.js ${args.join(' ')}`, '/dev/null'], { encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/transfer: \d+%\s+[\d.]+ MB\/s\s+virtual [\d.]+ s/);
    const json = spawnSync('script', ['-qec', `${process.execPath} dist/cli.js ${args.join(' ')} --json`, '/dev/null'], { encoding: 'utf8' });
    expect(json.stdout).not.toMatch(/MB\/s/);
    expect(JSON.parse(json.stdout.trim()).bytes).toBe(60_000_000);
  }, 60_000);
});
