// The lossy workload of `wasm-tcp bench` (bench/lossy.ts) on a small size: it arrives bit-exact
// under both configurations, the sender repairs loss mostly without its RTO, and what it resends
// stays near what the network lost (a spurious-resend loop once sent every segment twice).
import { describe, expect, it } from 'vitest';
import { formatLossy, runLossy } from '../../bench/lossy.js';

describe('lossy workload (bench)', () => {
  it('3 MB one way over 10 % loss, 5 % reordering, 2 % duplication, 1 % corruption', () => {
    const bytes = 3e6;
    const r = runLossy(bytes);
    const segments = bytes / 1448;
    expect(r.mathis).toBeGreaterThan(550_000);
    expect(r.mathis).toBeLessThan(570_000);
    for (const x of [r.defaults, r.linux]) {
      expect(x.ok).toBe(true);
      expect(x.goodput).toBeGreaterThan(0);
      // Data and ACKs are lost at 10 % each way: about 11-15 % of the segments go twice.
      expect(x.retransmits).toBeGreaterThan(0.08 * segments);
      expect(x.retransmits).toBeLessThan(0.3 * segments);
      expect(x.rtoExpirations).toBeLessThan(0.2 * x.retransmits);
    }
    expect(r.defaults.lossProbes).toBe(0); // TLP is off by default, on in the Linux profile
    expect(r.linux.lossProbes).toBeGreaterThan(0);
    expect(r.linux.rtoExpirations).toBeLessThan(0.1 * r.linux.retransmits);
    expect(formatLossy(r)).toMatch(/\| Linux profile \| \d+ kB\/s \|/);
  });
});
