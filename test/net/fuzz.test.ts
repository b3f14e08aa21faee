// Random and mutated frames into a TAP and a TUN interface, with time passing: the engine never
// traps, its memory never grows, and what it sends stays well-formed (frames ≥ 60 bytes from our MAC,
// on the interface they belong to; the neighbour cache within its size).
import { describe, expect, it } from 'vitest';
import { IfKind } from '../../src/engine/engine.js';
import { arpFrame, echoFrame } from '../support/ethernet.js';
import { rng } from '../wire/helpers.js';
import { ACK, SYN } from '../tcp/harness.js';
import { MAC_PEER, MAC_US, NetHarness, PEER, US, eth, mac, tcpFrame, u32 } from './harness.js';

describe('interface layer fuzz', () => {
  it('survives 20 000 random and mutated frames and packets', () => {
    const h = new NetHarness({ arpCacheSize: 4, arpQueueBytes: 4096, maxConnections: 16 });
    h.tap({ gateway: u32('10.0.0.254') }, 0);
    expect(h.up(1, { kind: IfKind.IP, addr: u32('10.9.0.1'), prefix: 16 })).toBe(0);
    h.e.listen(80);
    const bytes0 = h.e.memory.buffer.byteLength;
    const next = rng(99);
    const pick = <T>(xs: T[]) => xs[next() % xs.length];
    const peers = ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.254', US, '0.0.0.0', '10.0.0.255'];
    const macs = [MAC_PEER, '02:00:00:00:00:03', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', MAC_US, '00:00:00:00:00:00'];
    const seeds = (): Uint8Array => {
      switch (next() % 5) {
        case 0: return arpFrame({ op: next() & 1 ? 'request' : 'reply', senderMac: pick(macs), senderIp: pick(peers), targetMac: pick(macs), targetIp: pick(peers) });
        case 1: return echoFrame(pick([MAC_US, 'ff:ff:ff:ff:ff:ff']), pick(macs), { type: 'request', src: pick(peers), dst: pick(peers), id: next() & 0xffff, seq: next() & 0xffff, data: new Uint8Array(next() % 1600) });
        case 2: return tcpFrame({ src: u32(pick(peers)), seq: next(), ack: next(), flags: pick([SYN, ACK, SYN | ACK, 4, 1 | ACK]), dport: pick([80, 81]), sport: 1000 + (next() % 4), data: next() % 200 });
        case 3: { const b = new Uint8Array(next() % 100); for (let i = 0; i < b.length; i++) b[i] = next() & 0xff; return b; }
        default: return tcpFrame({ seq: 1, flags: SYN, dport: 80 }).slice(0, next() % 80);
      }
    };
    let conns = 0;
    for (let i = 0; i < 20_000; i++) {
      const f = seeds();
      const flips = next() % 3;
      for (let k = 0; k < flips && f.length; k++) f[next() % f.length] ^= 1 << (next() % 8);
      const onTun = next() % 4 === 0;
      h.feed(onTun ? 1 : 0, onTun ? f.subarray(Math.min(14, f.length)) : f);
      if (i % 500 === 0 && conns < 8) { h.connect(pick(['10.0.0.7', '192.0.2.1', '10.9.3.3'])); conns++; }
      if (i % 50 === 0) h.advance(h.now + (next() % 3000));
      for (const o of h.take()) {
        if (o.local) continue;
        if (o.iface === 0) {
          expect(o.bytes.length).toBeGreaterThanOrEqual(60);
          expect(eth(o.bytes).src).toBe(mac(MAC_US));
        } else {
          expect(o.iface).toBe(1);
          expect(o.bytes[0] >> 4).toBe(4);
        }
      }
      expect(h.e.neighbours().length).toBeLessThanOrEqual(4);
    }
    expect(h.e.memory.buffer.byteLength).toBe(bytes0);
    const s = h.e.stats;
    expect(s.arpIn + s.etherNotForUs + s.etherTypeDropped + s.badPackets).toBeGreaterThan(1000);
    expect(s.icmpEchoReplies).toBeGreaterThan(0);
  });
});
