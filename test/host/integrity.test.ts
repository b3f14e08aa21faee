import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runTransfer } from '../../src/scenario/transfer.js';
import { Sha256 } from '../../src/util/sha256.js';

const hostile = { loss: 0.05, duplicate: 0.02, reorder: 0.05, corrupt: 0.01 };
const nodeHash = () => createHash('sha256');

describe('integrity over a hostile SimNetwork (5 % loss, 2 % duplication, 5 % reordering, 1 % corruption)', () => {
  for (const seed of [11, 12, 13, 14, 15, 16]) {
    it(`2 MB each way arrive bit-exact, seed ${seed}`, () => {
      const r = runTransfer({ bytes: 2_000_000, seed, ...hostile, hash: nodeHash });
      expect(r.errors).toEqual({ client: null, server: null });
      expect(r.received).toEqual({ clientToServer: 2_000_000, serverToClient: 2_000_000 });
      expect(r.sha256Received).toEqual(r.sha256Sent);
      expect(r.sha256Sent.clientToServer).not.toBe(r.sha256Sent.serverToClient);
      expect(r.network.lost).toBeGreaterThan(0);
      expect(r.network.corrupted).toBeGreaterThan(0);
      expect(r.network.duplicated).toBeGreaterThan(0);
      expect(r.retransmits).toBeGreaterThan(0);
      expect(r.memoryGrew).toBe(false);
      expect(r.ok).toBe(true);
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`20 MB each way arrive bit-exact, seed ${seed}`, () => {
      const r = runTransfer({ bytes: 20_000_000, seed, ...hostile, hash: nodeHash, delay: 2 });
      expect(r.errors).toEqual({ client: null, server: null });
      expect(r.received).toEqual({ clientToServer: 20_000_000, serverToClient: 20_000_000 });
      expect(r.sha256Received).toEqual(r.sha256Sent);
      expect(r.network.lost).toBeGreaterThan(1000);
      expect(r.network.corrupted).toBeGreaterThan(100);
      expect(r.retransmits).toBeGreaterThan(1000);
      expect(r.memoryGrew).toBe(false);
      expect(r.ok).toBe(true);
    });
  }

  it('is deterministic: the same seed gives the same run', () => {
    const a = runTransfer({ bytes: 300_000, seed: 5, ...hostile });
    const b = runTransfer({ bytes: 300_000, seed: 5, ...hostile });
    expect(b).toEqual(a);
    const c = runTransfer({ bytes: 300_000, seed: 6, ...hostile });
    expect(c.network).not.toEqual(a.network);
  });
});

describe('Sha256', () => {
  it('matches node:crypto for assorted lengths and chunkings', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 1000, 100_000]) {
      const data = new Uint8Array(len).map((_, i) => (i * 31 + len) & 255);
      const h = new Sha256();
      for (let i = 0; i < len; i += 37) h.update(data.subarray(i, i + 37));
      expect(h.digestHex()).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});
