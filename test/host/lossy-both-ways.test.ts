// Both directions at once over lossy, reordering, duplicating links, for many seeds, with an
// on-the-wire invariant: no segment carries sequence space beyond the sender's SND.MAX (bytes past
// it were never sent, so the peer's ACK of them is unacceptable and the connection wedges).
// WASM_TCP_SLOW=1 runs the long sweep (`npm run test:slow`).
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/socket.js';
import { parseIPv4 } from '../../src/util/ip.js';
import { runTransfer, type TransferOptions } from '../../src/scenario/transfer.js';

const slow = process.env.WASM_TCP_SLOW === '1';

/** Seq, sequence length and flags of a TCP/IPv4 packet. */
function segment(b: Uint8Array): { seq: number; len: number } {
  const ihl = (b[0] & 15) * 4;
  const total = (b[2] << 8) | b[3];
  const t = ihl;
  const doff = (b[t + 12] >> 4) * 4;
  const flags = b[t + 13];
  const seq = ((b[t + 4] << 24) | (b[t + 5] << 16) | (b[t + 6] << 8) | b[t + 7]) >>> 0;
  const len = total - ihl - doff + (flags & 1 ? 1 : 0) + (flags & 2 ? 1 : 0);
  return { seq, len };
}

/** Runs one transfer and counts segments that went past SND.MAX. */
function checked(opts: TransferOptions): { r: ReturnType<typeof runTransfer>; beyond: string[]; seen: number } {
  const socks = new Map<number, Socket>(); // sender address → its socket
  const beyond: string[] = [];
  let seen = 0;
  const r = runTransfer({
    ...opts,
    observe: (_side, s) => socks.set(parseIPv4(s.localAddress), s),
    tap: (ev) => {
      if (ev.fate === 'vanished' || ev.bytes[9] !== 6) return;
      const s = socks.get(ev.from);
      if (!s || s.conn < 0) return;
      const { seq, len } = segment(ev.bytes);
      if (len === 0) return;
      seen++;
      const sndMax = s.info().sndMax;
      const over = (seq + len - sndMax) | 0;
      if (over > 0 && beyond.length < 5) beyond.push(`seq ${seq} len ${len} ends ${over} past SND.MAX ${sndMax}`);
    },
  });
  return { r, beyond, seen };
}

const mixes: [string, Partial<TransferOptions>][] = [
  ['2 % loss', { loss: 0.02 }],
  ['10 % loss / reorder / duplication', { loss: 0.1, reorder: 0.1, duplicate: 0.1 }],
];

describe('both directions at once over lossy links, many seeds', () => {
  const seeds = slow ? 200 : 24;
  const bytes = slow ? 20_000_000 : 3_000_000;
  for (const [name, mix] of mixes) {
    it(`${seeds} seeds × ${bytes / 1e6} MB each way, ${name}: bit-exact, nothing sent past SND.MAX`, () => {
      const failures: string[] = [];
      let segments = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const { r, beyond, seen } = checked({ bytes, seed, ...mix });
        segments += seen;
        if (!r.ok || beyond.length) failures.push(`seed ${seed}: ok=${r.ok} errors=${JSON.stringify(r.errors)} ${beyond.join('; ')}`);
      }
      expect(failures).toEqual([]);
      expect(segments).toBeGreaterThan(seeds * 2 * (bytes / 1460));
    }, slow ? 3_600_000 : 120_000);
  }

});
