// The page's own logic in Node (no browser): step mode reproduces runScenario exactly; BulkTransfer is exact and deterministic.
import { describe, expect, it } from 'vitest';
import { SCENARIOS, runScenario, toJson } from '../../src/browser.js';
import { BulkTransfer } from '../../web/bulk.js';
import { stepScenario } from '../../web/stepper.js';

describe('step mode for scenarios', () => {
  it.each(SCENARIOS.map((s) => s.name))('%s stepped event by event ends exactly as runScenario', (name) => {
    const run = stepScenario(name, { seed: 3 });
    expect(run.snapshot().segments).toEqual([]);
    let steps = 0;
    let last = -1;
    while (run.step()) {
      steps++;
      expect(run.events()).toBe(steps);
      expect(run.now()).toBeGreaterThanOrEqual(last);
      last = run.now();
    }
    expect(run.done).toBe(true);
    expect(toJson(run.finish())).toEqual(toJson(runScenario(name, { seed: 3 })));
  });

  it('a snapshot halfway shows part of the run', () => {
    const run = stepScenario('close', { seed: 1 });
    const total = runScenario('close', { seed: 1 }).segments.length;
    while (run.snapshot().segments.length < 3) run.step();
    const mid = run.snapshot();
    expect(mid.segments.slice(0, 3).map((s) => s.flags)).toEqual(['S', 'S.', '.']);
    expect(mid.segments.length).toBeLessThan(total);
    expect(run.finish().segments.length).toBe(total);
  });

  it('an unknown scenario is a clear error and leaves runScenario working', () => {
    expect(() => stepScenario('no-such-thing', {})).toThrow(/unknown scenario/);
    expect(runScenario('handshake').segments.length).toBe(3);
  });
});

describe('BulkTransfer', () => {
  it('delivers every byte intact through loss and reordering', () => {
    const t = new BulkTransfer({ bytes: 300_000, loss: 0.05, reorder: 0.05, seed: 4, capture: true });
    t.run();
    const p = t.progress();
    expect(p.done).toBe(true);
    expect(p.error).toBeNull();
    expect(p.received).toBe(300_000);
    expect(p.retransmits).toBeGreaterThan(0);
    expect(t.serverSha).toBe(t.clientSha);
    expect(t.clientSha).toMatch(/^[0-9a-f]{64}$/);
    expect(p.deliveredSeconds).toBeLessThanOrEqual(p.virtualSeconds);
    const rec = t.recording();
    expect(rec.outcome.client.state).toBe('CLOSED');
    expect(rec.segments.some((s) => s.flags.includes('F'))).toBe(true);
  });

  it('is deterministic for a seed, whether run in slices or stepped', () => {
    const a = new BulkTransfer({ bytes: 100_000, loss: 0.1, seed: 9 });
    a.run();
    const b = new BulkTransfer({ bytes: 100_000, loss: 0.1, seed: 9 });
    let steps = 0;
    while (b.step()) steps++;
    expect(b.progress().events).toBe(a.progress().events);
    expect(b.progress().virtualSeconds).toBe(a.progress().virtualSeconds);
    expect(b.progress().retransmits).toBe(a.progress().retransmits);
    expect(b.clientSha).toBe(a.clientSha);
    // Every step() fired one event; the last call found nothing left and reported the end.
    expect(steps).toBe(a.progress().events);
    expect(b.progress().done).toBe(true);
  });

  it('rejects a nonsense size', () => {
    expect(() => new BulkTransfer({ bytes: -1 })).toThrow(RangeError);
  });
});
