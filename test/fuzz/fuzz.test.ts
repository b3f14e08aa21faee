// `wasm-tcp fuzz` (issue 13 item 4): the short seeded run of every `npm test` (200 000 packets),
// that a broken invariant stops the run with what is needed to reproduce it, determinism, the CLI.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { STATE_NAMES } from '../../src/engine/abi.js';
import { FuzzFailure, runFuzz } from '../../src/fuzz/run.js';
import { testModule } from '../support/test-engine.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'fuzz', ...args], { encoding: 'utf8' });
type Poke = { testPoke(slot: number, field: number, value: number): void };

describe('wasm-tcp fuzz', () => {
  it('200 000 seeded packets: every check holds after every step, every state\'s input code is reached, the tables drain, a fresh 1 MB transfer is bit-exact', () => {
    const r = runFuzz({ packets: 200_000, seed: 1, module: testModule() });
    expect(r.packets).toBe(200_000);
    expect(r.mutants + r.random).toBe(r.packets);
    expect(r.mutants).toBeGreaterThan(r.random * 5);
    for (const s of STATE_NAMES) expect(r.reached[s], s).toBeGreaterThan(s === 'SYN_SENT' ? 50 : 200);
    const reached = Object.values(r.reached).reduce((a, b) => a + b, 0);
    expect(reached).toBeGreaterThan(r.packets * 0.7); // most get past the checksum and header checks
    expect(r.reached.ESTABLISHED).toBeGreaterThan(r.packets / 10);
    expect(r.delivered).toBeGreaterThan(r.packets); // the engines keep talking between the mutants
    expect(r.transferOk).toBe(true);
    expect(r.packetsPerSecond).toBeGreaterThan(0);
  }, 120_000);

  it('the same seed gives the same run; another seed another', () => {
    const a = runFuzz({ packets: 4000, seed: 7, module: testModule() });
    const b = runFuzz({ packets: 4000, seed: 7, module: testModule() });
    const c = runFuzz({ packets: 4000, seed: 8, module: testModule() });
    const strip = ({ wallSeconds, packetsPerSecond, ...rest }: typeof a) => rest;
    expect(strip(b)).toEqual(strip(a));
    expect(strip(c)).not.toEqual(strip(a));
  });

  it('a broken invariant stops the run at that step, naming the check, the engine and the slot', () => {
    let slot = -1, node = -1, at = -1;
    const run = () => runFuzz({
      packets: 50_000, seed: 3, module: testModule(),
      onStep: (w, step) => {
        if (step < 500 || at >= 0) return;
        // The first ESTABLISHED connection an application holds from step 500 on.
        for (const [i, n] of w.nodes.entries()) {
          const c = [...n.owned.keys()].find((k) => n.e.info(k).state === 4);
          if (c === undefined) continue;
          [slot, node, at] = [c, i, step];
          (n.e.exports as unknown as Poke).testPoke(c, 0, (n.e.info(c).sndMax + 100) >>> 0);
          return;
        }
      },
    });
    let caught: unknown;
    try { run(); } catch (err) { caught = err; }
    expect(caught).toBeInstanceOf(FuzzFailure);
    expect(at).toBeGreaterThanOrEqual(500);
    expect((caught as FuzzFailure).step).toBe(at);
    expect((caught as Error).message).toMatch(new RegExp(`^engine ${node}: self-check SEQ_ORDER failed at slot ${slot} `));
  });

  it('the CLI: --json keys, exit 0; bad usage exits 2 with one line', () => {
    const r = cli('--packets', '3k', '--seed', '0x10', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['packets', 'seed', 'mutants', 'random', 'reached', 'actions', 'advances', 'delivered', 'virtualSeconds', 'wallSeconds', 'packetsPerSecond', 'transferOk']);
    expect([j.packets, j.seed, j.transferOk]).toEqual([3000, 16, true]);
    const text = cli('--packets', '2000');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^fuzz: 2000 packets \(seed 1\) in [\d.]+ s: \d+ packets\/s\n/);
    expect(text.stdout).toMatch(/reached the input code of: CLOSED \d+, LISTEN \d+, SYN_SENT \d+/);
    for (const args of [['--packets', '0'], ['--packets', 'many'], ['--seed', '-1'], ['--frobnicate']]) {
      const bad = cli(...args);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/^wasm-tcp fuzz: .*\n$/);
    }
  });
});
