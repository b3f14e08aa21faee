// Routing over several interfaces: longest prefix, the default gateway, our own addresses (local
// records), the weak host model, bringing interfaces up and down, and the MTU bounding the MSS.
import { describe, expect, it } from 'vitest';
import { Errno } from '../../src/engine/errno.js';
import { EventKind, IfKind, TcpState } from '../../src/engine/engine.js';
import { arpFrame } from '../support/ethernet.js';
import { ACK, SYN, buildSegment, decodeSegment, opt } from '../tcp/harness.js';
import { MAC_US, NetHarness, eth, mac, segOf, u32 } from './harness.js';

/** Two TUN interfaces: 0 = 10.0.0.1/8, 1 = 10.1.0.1/16. */
function two(extra: { gateway0?: number } = {}): NetHarness {
  const h = new NetHarness();
  expect(h.up(0, { kind: IfKind.IP, addr: u32('10.0.0.1'), prefix: 8, gateway: extra.gateway0 })).toBe(0);
  expect(h.up(1, { kind: IfKind.IP, addr: u32('10.1.0.1'), prefix: 16 })).toBe(0);
  return h;
}

describe('routing', () => {
  it('the longest prefix picks the interface, and with it our address', () => {
    const h = two();
    const a = h.connect('10.1.2.3');
    const b = h.connect('10.2.0.9');
    const out = h.take().map((o) => [o.iface, decodeSegment(o.bytes).src, decodeSegment(o.bytes).dst]);
    expect(out).toEqual([[1, u32('10.1.0.1'), u32('10.1.2.3')], [0, u32('10.0.0.1'), u32('10.2.0.9')]]);
    expect([h.e.info(a).localAddr, h.e.info(a).ifIndex, h.e.info(b).localAddr]).toEqual([u32('10.1.0.1'), 1, u32('10.0.0.1')]);
  });

  it('off-link destinations go to the interface with a default gateway; without one connect() is ENETUNREACH', () => {
    expect(two().connect('192.0.2.1')).toBe(-Errno.ENETUNREACH);
    const h = two({ gateway0: u32('10.0.0.254') });
    h.connect('192.0.2.1');
    expect(h.take().map((o) => o.iface)).toEqual([0]);
  });

  it('on a TAP interface the next hop of an off-link destination is the gateway: ARP asks for it, the frame goes to its MAC', () => {
    const h = new NetHarness();
    h.tap({ gateway: u32('10.0.0.254') });
    h.connect('192.0.2.1');
    h.feed(0, arpFrame({ op: 'reply', senderMac: '02:00:00:00:00:fe', senderIp: '10.0.0.254', targetMac: MAC_US, targetIp: '10.0.0.1' }));
    const [, syn] = h.take();
    expect(eth(syn.bytes).dst).toBe(mac('02:00:00:00:00:fe'));
    expect(segOf(syn.bytes).dst).toBe(u32('192.0.2.1'));
  });

  it('our own address on any interface loops back as a local record, and the connection completes through it', () => {
    const h = two();
    const c = h.connect('10.1.0.1');
    const [syn] = h.take();
    expect([syn.iface, syn.local]).toEqual([1, true]);
    const l = h.e.listen(80);
    expect(l).toBeGreaterThanOrEqual(0);
    // The host feeds local records back as they are (meta included).
    const loop = (o: { iface: number; bytes: Uint8Array }) => {
      const rec = new Uint8Array(8 + ((o.bytes.length + 3) & ~3));
      const dv = new DataView(rec.buffer);
      dv.setUint32(0, o.bytes.length, true);
      dv.setUint32(4, o.iface | 256, true);
      rec.set(o.bytes, 8);
      h.e.inputRecords({ u8: rec, i32: new Int32Array(rec.buffer), start: 0, end: rec.length, count: 1 }, h.now);
      h.drain();
    };
    loop(syn);
    for (let i = 0; i < 4; i++) for (const o of h.take()) { expect(o.local).toBe(true); loop(o); }
    expect(h.e.state(c)).toBe(TcpState.ESTABLISHED);
    expect(h.e.accept(l)).toBeGreaterThanOrEqual(0);
  });

  it('the weak host model: a segment for our other interface\'s address is accepted, and the child uses that address', () => {
    const h = two();
    h.e.listen(80);
    h.feed(0, buildSegment({ src: u32('10.9.0.9'), dst: u32('10.1.0.1'), sport: 5000, dport: 80, seq: 1, flags: SYN, opts: [{ kind: 'mss', value: 1400 }] }));
    const [sa] = h.take();
    const s = decodeSegment(sa.bytes);
    expect([sa.iface, s.flags, s.src, s.dst]).toEqual([1, SYN | ACK, u32('10.1.0.1'), u32('10.9.0.9')]);
  });

  it('a packet for none of our addresses is dropped (badPackets)', () => {
    const h = two();
    h.feed(0, buildSegment({ src: u32('10.9.0.9'), dst: u32('10.1.0.2'), sport: 5000, dport: 80, seq: 1, flags: SYN }));
    expect(h.take()).toEqual([]);
    expect(h.e.stats.badPackets).toBe(1);
  });

  it('the MSS we advertise fits the interface MTU, and the peer\'s MSS is bounded by it', () => {
    const h = new NetHarness();
    h.up(0, { kind: IfKind.IP, addr: u32('10.0.0.1'), prefix: 24, mtu: 576 });
    const c = h.connect('10.0.0.2');
    const [syn] = h.take();
    expect(opt(decodeSegment(syn.bytes), 'mss')?.value).toBe(536);
    h.feed(0, buildSegment({ src: u32('10.0.0.2'), dst: u32('10.0.0.1'), sport: 80, dport: decodeSegment(syn.bytes).sport, seq: 500, ack: decodeSegment(syn.bytes).seq + 1, flags: SYN | ACK, opts: [{ kind: 'mss', value: 1460 }] }));
    expect(h.e.info(c).sndMssRaw).toBe(536);
  });

  it('a loopback interface: its address is reachable as a local record; other addresses of its prefix are refused with RST', () => {
    const h = new NetHarness();
    h.up(2, { kind: IfKind.LOOPBACK, addr: u32('127.0.0.1'), prefix: 8, mtu: 65535 });
    h.e.listen(80);
    h.connect('127.0.0.1');
    const [syn] = h.take();
    expect([syn.iface, syn.local]).toEqual([2, true]);
    h.feed(2, buildSegment({ src: u32('127.0.0.1'), dst: u32('127.0.0.5'), sport: 5000, dport: 80, seq: 1, flags: SYN }));
    const [rst] = h.take();
    const r = decodeSegment(rst.bytes);
    expect([rst.local, r.src, r.dst, r.flags & 4]).toEqual([true, u32('127.0.0.5'), u32('127.0.0.1'), 4]);
  });
});

describe('bringing interfaces up and down', () => {
  it('refuses bad settings, a slot in use and an address another interface has', () => {
    const h = new NetHarness({ maxInterfaces: 2 });
    const base = { kind: IfKind.IP, addr: u32('10.0.0.1'), prefix: 24 };
    expect(h.up(2, base)).toBe(-Errno.EINVAL); // index past maxInterfaces
    expect(h.up(0, { ...base, prefix: 33 })).toBe(-Errno.EINVAL);
    expect(h.up(0, { ...base, addr: u32('224.0.0.1') })).toBe(-Errno.EINVAL);
    expect(h.up(0, { ...base, gateway: u32('10.9.0.1') })).toBe(-Errno.EINVAL); // not on-link
    expect(h.up(0, { ...base, mtu: 67 })).toBe(-Errno.EINVAL);
    expect(h.up(0, { ...base, kind: IfKind.ETHERNET, mac: mac('01:00:5e:00:00:01') })).toBe(-Errno.EINVAL); // group MAC
    expect(h.up(0, { ...base, kind: IfKind.ETHERNET, mac: 0 })).toBe(-Errno.EINVAL);
    expect(h.up(0, { ...base, kind: IfKind.ETHERNET, mac: mac(MAC_US), mtu: 16_384 })).toBe(-Errno.EINVAL); // > arpQueueBytes
    expect(h.up(0, base)).toBe(0);
    expect(h.up(0, { ...base, addr: u32('10.0.0.9') })).toBe(-Errno.EEXIST);
    expect(h.up(1, base)).toBe(-Errno.EADDRINUSE);
    expect(h.e.ifaceDown(1, h.now)).toBe(-Errno.ENODEV);
  });

  it('down: its connections fail with ENETDOWN, the others live on, and the slot can be brought up again', () => {
    const h = two();
    const a = h.connect('10.1.2.3');
    const b = h.connect('10.2.0.9');
    expect(h.e.ifaceDown(1, h.now)).toBe(0);
    h.drain();
    expect(h.closed(a)).toBe(-Errno.ENETDOWN);
    expect(h.e.state(b)).toBe(TcpState.SYN_SENT);
    expect(h.events.some((v) => v.kind === EventKind.Closed && v.conn === b)).toBe(false);
    expect(h.connect('10.1.2.3')).toBeGreaterThanOrEqual(0); // now through the /8
    expect(h.up(1, { kind: IfKind.IP, addr: u32('10.1.0.1'), prefix: 16 })).toBe(0);
  });
});
