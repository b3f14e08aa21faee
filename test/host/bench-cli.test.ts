// `wasm-tcp bench` output contract, with the (slow, machine-dependent) measurement replaced by fixed figures.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureConsole } from '../support/console.js';

const runThroughput = vi.fn();
vi.mock('../../bench/throughput.js', async (orig) => ({ ...(await orig<object>()), runThroughput }));
const { run } = await import('../../src/cli/bench.js');

const capture = captureConsole;

const figures = {
  bulk1460: { wasm: 4e8, node: 7e8 }, bulk64k: { wasm: 1.3e9, node: 4.7e8 }, pingpong: { wasm: 4e5, node: 4e4 },
  churn1000: { wasm: 2e4, node: 5e3 }, churn10000: { wasm: 6e4, node: 4.5e3 }, wasmBytes: 27_000, connStateBytes: 248,
  params: { quick: true, bulkBytes: 1, pingpongRounds: 1, churnConcurrency: 64, node: 'v20' },
};

describe('wasm-tcp bench', () => {
  afterEach(() => { vi.restoreAllMocks(); runThroughput.mockReset(); });

  it('--json prints exactly the workloads as {wasm, node} plus wasmBytes and connStateBytes', async () => {
    runThroughput.mockResolvedValue(figures);
    const { out } = capture();
    expect(await run(['--quick', '--json'])).toBe(0);
    expect(runThroughput.mock.calls[0][0].quick).toBe(true);
    expect(out.length).toBe(1);
    const r = JSON.parse(out[0]);
    expect(Object.keys(r)).toEqual(['bulk1460', 'bulk64k', 'pingpong', 'churn1000', 'churn10000', 'wasmBytes', 'connStateBytes']);
    for (const k of ['bulk1460', 'bulk64k', 'pingpong', 'churn1000', 'churn10000'] as const) {
      expect(r[k]).toEqual(figures[k]);
      expect(Object.keys(r[k])).toEqual(['wasm', 'node']);
    }
    expect(r.wasmBytes).toBe(27_000);
    expect(r.connStateBytes).toBe(248);
  });

  it('without --json prints the side-by-side table with ratios', async () => {
    runThroughput.mockResolvedValue(figures);
    const { out } = capture();
    expect(await run([])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('| 1-byte ping-pong | 400.0 k/s | 40.0 k/s | 10.00× |');
    expect(text).toContain('engine.wasm: 27000 bytes; engine state per connection: 248 bytes');
  });

  it('bad usage: one clear line, exit 2; a failed run: one line, exit 1', async () => {
    const { out, err } = capture();
    expect(await run(['--fast'])).toBe(2);
    expect(err[0]).toMatch(/^wasm-tcp bench: Unknown option '--fast'/);
    runThroughput.mockRejectedValue(new Error('bench: a WASM run stalled'));
    expect(await run(['--json'])).toBe(1);
    expect(err.at(-1)).toBe('wasm-tcp bench: a WASM run stalled');
    expect(out).toEqual([]);
  });
});
