import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual.js';
import { SimNetwork } from '../../src/link/sim.js';
import { DirectLink } from '../../src/link/direct.js';
import type { LinkEndpoint, TapEvent } from '../../src/link/link.js';
import { PcapWriter } from '../../src/pcap/writer.js';
import { inetChecksum } from '../../src/util/checksum.js';
import { parseIPv4 } from '../../src/util/ip.js';

const A = parseIPv4('10.0.0.1');
const B = parseIPv4('10.0.0.2');

/** A raw IPv4 packet (protocol 253, experimental) whose payload starts with a 32-bit serial. */
function packet(src: number, dst: number, serial: number, len = 100): Uint8Array {
  const p = new Uint8Array(len);
  p[0] = 0x45;
  p[2] = len >> 8;
  p[3] = len & 255;
  p[8] = 64;
  p[9] = 253;
  new DataView(p.buffer).setUint32(12, src);
  new DataView(p.buffer).setUint32(16, dst);
  const sum = inetChecksum(p, 0, 20);
  p[10] = sum >> 8;
  p[11] = sum & 255;
  new DataView(p.buffer).setUint32(20, serial);
  for (let i = 24; i < len; i++) p[i] = (serial + i) & 255;
  return p;
}

class Host implements LinkEndpoint {
  got: { t: number; bytes: Uint8Array }[] = [];
  down = false;
  constructor(readonly addr: number, private readonly clock: VirtualClock) {}
  receive(p: Uint8Array): void {
    this.got.push({ t: this.clock.now(), bytes: p.slice() });
  }
}

function setup(opts: Record<string, number> = {}, seed = 7) {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, seed, ...opts });
  const a = new Host(A, clock);
  const b = new Host(B, clock);
  net.attach(a);
  net.attach(b);
  const events: TapEvent[] = [];
  net.tap((e) => events.push({ ...e, bytes: e.bytes.slice() }));
  return { clock, net, a, b, events };
}

function serial(p: Uint8Array): number {
  return new DataView(p.buffer, p.byteOffset).getUint32(20);
}

describe('SimNetwork', () => {
  it('delivers intact, in order, after the path delay', () => {
    const { clock, net, a, b } = setup({ delay: 25 });
    for (let i = 0; i < 5; i++) net.send(packet(A, B, i), a);
    clock.runAll();
    expect(b.got.map((g) => serial(g.bytes))).toEqual([0, 1, 2, 3, 4]);
    expect(b.got.every((g) => g.t === 25)).toBe(true);
    expect(b.got[3].bytes).toEqual(packet(A, B, 3));
  });

  it('jitter adds a uniform extra delay in [0, jitter) per packet, the same per seed', () => {
    const times = (seed: number) => {
      const { clock, net, a, b } = setup({ delay: 5, jitter: 10 }, seed);
      for (let i = 0; i < 400; i++) net.send(packet(A, B, i), a);
      clock.runAll();
      expect(b.got.length).toBe(400);
      return b.got.map((g) => g.t);
    };
    const t = times(3);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...t)).toBeLessThan(15);
    const mean = t.reduce((x, y) => x + y, 0) / t.length;
    expect(mean).toBeGreaterThan(9); // uniform on [5, 15): mean 10
    expect(mean).toBeLessThan(11);
    expect(t.filter((x) => x < 10).length).toBeGreaterThan(150); // both halves populated
    expect(t.filter((x) => x >= 10).length).toBeGreaterThan(150);
    expect(times(3)).toEqual(t);
    expect(times(4)).not.toEqual(t);
  });

  it('serializes at the configured bandwidth and tail-drops past the queue limit', () => {
    const { clock, net, a, b, events } = setup({ bandwidth: 8_000_000, queueLimit: 500 }); // 1 byte/µs
    for (let i = 0; i < 6; i++) net.send(packet(A, B, i, 100), a);
    clock.runAll();
    expect(b.got.length).toBe(5);
    b.got.forEach((g, i) => expect(g.t).toBeCloseTo(0.1 * (i + 1), 9));
    expect(events.filter((e) => e.reason === 'queue').length).toBe(1);
  });

  it('loses about `loss` of the packets, deterministically per seed', () => {
    const run = (seed: number) => {
      const { clock, net, a, b } = setup({ loss: 0.05 }, seed);
      for (let i = 0; i < 20000; i++) net.send(packet(A, B, i, 40), a);
      clock.runAll();
      return b.got.map((g) => serial(g.bytes));
    };
    const got = run(1);
    const lostFraction = 1 - got.length / 20000;
    expect(lostFraction).toBeGreaterThan(0.045);
    expect(lostFraction).toBeLessThan(0.055);
    expect(run(1)).toEqual(got);
    expect(run(2)).not.toEqual(got);
  });

  it('duplicates about `duplicate` of the packets', () => {
    const { clock, net, a, b } = setup({ duplicate: 0.02 });
    for (let i = 0; i < 20000; i++) net.send(packet(A, B, i, 40), a);
    clock.runAll();
    const extra = b.got.length - 20000;
    expect(extra).toBeGreaterThan(20000 * 0.017);
    expect(extra).toBeLessThan(20000 * 0.023);
    expect(net.stats.duplicated).toBe(extra);
  });

  it('reorders: held-back packets are overtaken', () => {
    const { clock, net, a, b } = setup({ delay: 10, reorder: 0.1, reorderDelay: 5 });
    const tick = clock.timer((now) => {
      net.send(packet(A, B, sent++, 40), a);
      if (sent < 5000) tick.arm(now + 1);
    });
    let sent = 0;
    tick.arm(0);
    clock.runAll();
    const order = b.got.map((g) => serial(g.bytes));
    expect(order.length).toBe(5000);
    let inversions = 0;
    for (let i = 1; i < order.length; i++) if (order[i] < order[i - 1]) inversions++;
    // each held-back packet arrives after ~5 later ones: one inversion each
    expect(inversions / 5000).toBeGreaterThan(0.08);
    expect(inversions / 5000).toBeLessThan(0.12);
    expect([...order].sort((x, y) => x - y)).toEqual(order.map((_, i) => i));
  });

  it('corrupts about `corrupt` of the packets with exactly one flipped bit each', () => {
    const { clock, net, a, b } = setup({ corrupt: 0.01 });
    const sent = new Map<number, Uint8Array>();
    for (let i = 0; i < 20000; i++) {
      const p = packet(A, B, i, 60);
      sent.set(i, p);
      net.send(p, a);
    }
    clock.runAll();
    let corrupted = 0;
    for (let i = 0; i < b.got.length; i++) {
      const got = b.got[i].bytes;
      const orig = packet(A, B, i, 60); // delivery is in order, so index i is serial i
      let bits = 0;
      for (let j = 0; j < got.length; j++) {
        let x = got[j] ^ orig[j];
        while (x) { bits += x & 1; x >>= 1; }
      }
      if (bits) corrupted++;
      expect(bits).toBeLessThanOrEqual(1);
    }
    expect(corrupted).toBe(net.stats.corrupted);
    expect(corrupted / 20000).toBeGreaterThan(0.008);
    expect(corrupted / 20000).toBeLessThan(0.012);
  });

  it('partition drops both ways until healed', () => {
    const { clock, net, a, b, events } = setup({ delay: 1 });
    net.partition('10.0.0.1', '10.0.0.2');
    net.send(packet(A, B, 1), a);
    net.send(packet(B, A, 2), b);
    clock.runAll();
    expect(a.got.length + b.got.length).toBe(0);
    expect(events.map((e) => [e.fate, e.reason])).toEqual([['dropped', 'partition'], ['dropped', 'partition']]);
    net.heal('10.0.0.1', '10.0.0.2');
    net.send(packet(A, B, 3), a);
    clock.runAll();
    expect(b.got.map((g) => serial(g.bytes))).toEqual([3]);
    net.partition(); // everything
    net.send(packet(B, A, 4), b);
    net.heal();
    net.send(packet(B, A, 5), b);
    clock.runAll();
    expect(a.got.map((g) => serial(g.bytes))).toEqual([5]);
  });

  it('a router on a failed path answers with ICMP host unreachable quoting the IP header + 8 bytes', () => {
    const { clock, net, a, b, events } = setup({ delay: 3 });
    net.partition(A, B, { icmp: true });
    const orig = packet(A, B, 42, 80);
    net.send(orig, a);
    clock.runAll();
    expect(b.got.length).toBe(0);
    expect(a.got.length).toBe(1);
    expect(a.got[0].t).toBe(3);
    const icmp = a.got[0].bytes;
    expect(icmp.length).toBe(20 + 8 + 28);
    expect(icmp[0]).toBe(0x45);
    expect(icmp[9]).toBe(1); // ICMP
    expect(inetChecksum(icmp, 0, 20)).toBe(0);
    expect([...icmp.subarray(12, 16)]).toEqual([10, 0, 0, 254]);
    expect([...icmp.subarray(16, 20)]).toEqual([10, 0, 0, 1]);
    expect(icmp[20]).toBe(3); // destination unreachable
    expect(icmp[21]).toBe(1); // host unreachable
    expect(inetChecksum(icmp, 20, icmp.length)).toBe(0);
    expect(icmp.subarray(28)).toEqual(orig.subarray(0, 28));
    expect(events.map((e) => e.fate)).toEqual(['icmp', 'delivered']);
    expect(events[1].from).toBe(net.router);
  });

  it('a crashed host gets nothing: packets in flight vanish, new ones are dropped', () => {
    const { clock, net, a, b, events } = setup({ delay: 10 });
    net.send(packet(A, B, 1), a);
    clock.runFor(5);
    b.down = true; // crash while the packet is in flight
    net.send(packet(A, B, 2), a);
    clock.runAll();
    expect(b.got.length).toBe(0);
    expect(events.map((e) => [e.id, e.fate, e.reason ?? ''])).toEqual([
      [1, 'delivered', ''], [2, 'dropped', 'host-down'], [1, 'vanished', 'host-down'],
    ]);
    b.down = false;
    net.send(packet(A, B, 3), a);
    clock.runAll();
    expect(b.got.map((g) => serial(g.bytes))).toEqual([3]);
  });

  it('tees every packet sent, dropped ones too, to a pcap writer', () => {
    const { clock, net, a } = setup({ loss: 0.5 });
    const chunks: Uint8Array[] = [];
    net.pcap(new PcapWriter((c) => chunks.push(c.slice())));
    for (let i = 0; i < 10; i++) net.send(packet(A, B, i, 50), a);
    clock.runAll();
    expect(chunks.length).toBe(11); // header + 10 records
    expect(chunks[1].length).toBe(16 + 50);
  });

  it('rejects invalid conditions with a clear error', () => {
    const clock = new VirtualClock();
    expect(() => new SimNetwork({ clock, loss: 1.5 })).toThrow(/loss must be a probability/);
    expect(() => new SimNetwork({ clock, delay: -1 })).toThrow(/delay must be/);
  });
});

describe('DirectLink', () => {
  it('hands packets to the other end at once and in order, with taps', () => {
    const clock = new VirtualClock();
    const a = new Host(A, clock);
    const b = new Host(B, clock);
    const link = DirectLink.connect(a, b, clock);
    const fates: string[] = [];
    link.tap((e) => fates.push(e.fate));
    link.send(packet(A, B, 1), a);
    link.send(packet(B, A, 2), b);
    link.send(packet(A, B, 3), a);
    expect(b.got.map((g) => serial(g.bytes))).toEqual([1, 3]);
    expect(a.got.map((g) => serial(g.bytes))).toEqual([2]);
    expect(fates).toEqual(['delivered', 'delivered', 'delivered']);
  });
});
