// The interface API of a Stack: options checked with coded errors, several interfaces, the local
// address of a connection, frames only while a reader is attached (bounded, counted), removal, the
// loopback interface, reboot, and the one-interface shorthand alongside interfaces.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual.js';
import { DirectLink } from '../../src/link/direct.js';
import { Stack } from '../../src/stack.js';
import type { Socket } from '../../src/socket.js';
import { parseArp } from '../support/ethernet.js';

const code = (c: string) => expect.objectContaining({ code: c });

/** Runs the clock in 1 ms steps with promise jobs in between until `p` settles. */
async function drive<T>(clock: VirtualClock, p: Promise<T>, limit = 60_000): Promise<T> {
  let done = false;
  const q = p.finally(() => { done = true; });
  for (let t = 0; !done && t < limit; t++) {
    clock.runFor(1);
    for (let i = 0; i < 20 && !done; i++) await null;
  }
  return q;
}

describe('creating interfaces', () => {
  it('checks the options and says what is wrong', () => {
    const s = new Stack({ clock: new VirtualClock() });
    expect(() => s.createTapInterface({ ip: '10.0.0.1' })).toThrow(code('ERR_INVALID_ARG_VALUE')); // no prefix
    expect(() => s.createTapInterface({ ip: '10.0.0.1/33' })).toThrow(code('ERR_INVALID_ARG_VALUE'));
    expect(() => s.createTapInterface({ ip: '224.0.0.1/4' })).toThrow(code('ERR_INVALID_ARG_VALUE'));
    expect(() => s.createTapInterface({ ip: '10.0.0.1/24', mac: '01:00:5e:00:00:01' })).toThrow(/unicast MAC/);
    expect(() => s.createTapInterface({ ip: '10.0.0.1/24', mac: '02:00:00:00:00' })).toThrow(code('ERR_INVALID_ARG_VALUE'));
    expect(() => s.createTapInterface({ ip: '10.0.0.1/24', mac: 7 } as never)).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(() => s.createTapInterface({ ip: '10.0.0.1/24', gateway: '10.0.1.1' })).toThrow(/inside 10.0.0.1\/24/);
    expect(() => s.createTapInterface({ ip: '10.0.0.1/24', mtu: 9217 })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(() => s.createTunInterface({ ip: '10.0.0.1/24', mtu: 67 })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(() => s.createTunInterface(undefined as never)).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(s.interfaces).toEqual([]);
  });

  it('several interfaces per stack up to maxInterfaces (ENOBUFS past it); an address is taken once (EADDRINUSE)', () => {
    const s = new Stack({ clock: new VirtualClock(), config: { maxInterfaces: 3 } });
    const tap = s.createTapInterface({ ip: '10.0.0.1/24' });
    const tun = s.createTunInterface({ ip: '10.1.0.1/16', gateway: '10.1.0.254' });
    expect(() => s.createTunInterface({ ip: '10.0.0.1/8' })).toThrow(code('EADDRINUSE'));
    const lo = s.createLoopbackInterface();
    expect(() => s.createTunInterface({ ip: '10.2.0.1/16' })).toThrow(code('ENOBUFS'));
    expect(s.interfaces).toEqual([tap, tun, lo]);
    expect([tap.ip, tap.mac, tun.ip, tun.gateway, tun.mtu, lo.ip]).toEqual(['10.0.0.1/24', tap.mac, '10.1.0.1/16', '10.1.0.254', 1500, '127.0.0.1/8']);
    expect(tap.mac).toMatch(/^02:00(:[0-9a-f]{2}){4}$/); // locally administered, derived from the seed
    expect(s.address).toBe('10.0.0.1');
  });

  it('new Stack({ clock }) has no interface: connect() fails with ENETUNREACH', () => {
    const clock = new VirtualClock();
    const s = new Stack({ clock });
    let err = '';
    s.connect({ host: '10.0.0.2', port: 80 }).on('error', (e: Error & { code: string }) => { err = e.code; });
    clock.runFor(10);
    expect(err).toBe('ENETUNREACH');
    expect(() => s.attach(new DirectLink(clock))).toThrow(/needs options.address/);
    expect(() => new Stack({ clock, link: new DirectLink(clock) })).toThrow(code('ERR_INVALID_ARG_VALUE'));
  });
});

describe('outbound frames', () => {
  it('are produced only while a reader is attached: before that they are dropped and counted', async () => {
    const clock = new VirtualClock();
    const s = new Stack({ clock });
    const tap = s.createTapInterface({ ip: '10.0.0.1/24' });
    clock.runFor(1); // the gratuitous ARP: nobody reads yet
    expect(tap.stats).toMatchObject({ txPackets: 0, txDropped: 1 });
    const reader = tap.readable.getReader();
    s.connect({ host: '10.0.0.2', port: 80 }).on('error', () => {});
    clock.runFor(1);
    const { value } = await reader.read();
    expect(parseArp(value!)).toMatchObject({ op: 'request', targetIp: '10.0.0.2' });
    expect(tap.stats).toMatchObject({ txPackets: 1, txDropped: 1 });
    reader.releaseLock();
    clock.runFor(1500); // the retry at 1 s: no reader again
    expect(tap.stats).toMatchObject({ txPackets: 1, txDropped: 2 });
  });

  it('wait for a slow reader up to queueLimit; the rest are dropped and counted, never buffered without bound', async () => {
    const clock = new VirtualClock();
    const s = new Stack({ clock });
    const tun = s.createTunInterface({ ip: '10.0.0.1/24', queueLimit: 3 });
    const reader = tun.readable.getReader();
    for (let port = 1; port <= 5; port++) s.connect({ host: '10.0.0.2', port }).on('error', () => {});
    clock.runFor(1);
    expect(tun.stats).toMatchObject({ txPackets: 3, txDropped: 2 });
    const ports = [];
    for (let i = 0; i < 3; i++) { const { value } = await reader.read(); ports.push((value![22] << 8) | value![23]); }
    expect(ports).toEqual([1, 2, 3]); // the first three SYNs, in order
  });
});

describe('addresses and removal', () => {
  it("a connection's local address is its interface's (sockets and web streams alike)", async () => {
    const clock = new VirtualClock();
    const a = new Stack({ clock, name: 'a' });
    const b = new Stack({ clock, name: 'b' });
    const a1 = a.createTunInterface({ ip: '10.1.0.1/16' });
    const a2 = a.createTunInterface({ ip: '10.2.0.1/16' });
    const b1 = b.createTunInterface({ ip: '10.1.0.2/16' });
    const b2 = b.createTunInterface({ ip: '10.2.0.2/16' });
    for (const [x, y] of [[a1, b1], [a2, b2]]) {
      x.readable.pipeTo(y.writable).catch(() => {});
      y.readable.pipeTo(x.writable).catch(() => {});
    }
    const accepted: string[] = [];
    b.listen(80, {}, (s) => { accepted.push(`${s.localAddress}<-${s.remoteAddress}`); s.resume(); });
    const s1 = a.connect({ host: '10.1.0.2', port: 80 });
    const c2 = drive(clock, a.connectTcp({ host: '10.2.0.2', port: 80 }));
    const conn = await c2;
    await drive(clock, new Promise((r) => setTimeout(r, 0)));
    expect([s1.localAddress, s1.address().address, conn.localAddress]).toEqual(['10.1.0.1', '10.1.0.1', '10.2.0.1']);
    expect(accepted.sort()).toEqual(['10.1.0.2<-10.1.0.1', '10.2.0.2<-10.2.0.1']);
    // A server may listen on any of the stack's addresses; another one is EADDRNOTAVAIL.
    let err = '';
    b.createServer().listen({ port: 81, host: '10.2.0.2' });
    b.createServer().on('error', (e: Error & { code: string }) => { err = e.code; }).listen({ port: 82, host: '10.3.0.2' });
    clock.runFor(1);
    expect(err).toBe('EADDRNOTAVAIL');
  });

  it('removeInterface: its connections fail with ENETDOWN, its readable ends, writing to it is an error', async () => {
    const clock = new VirtualClock();
    const s = new Stack({ clock });
    const tun = s.createTunInterface({ ip: '10.0.0.1/24' });
    const reader = tun.readable.getReader();
    let err = '';
    const sock: Socket = s.connect({ host: '10.0.0.2', port: 80 });
    sock.on('error', (e: Error & { code: string }) => { err = e.code; });
    clock.runFor(1);
    s.removeInterface(tun);
    clock.runFor(1);
    expect(err).toBe('ENETDOWN');
    expect(s.interfaces).toEqual([]);
    await reader.read(); // the SYN sent before
    expect((await reader.read()).done).toBe(true);
    await expect(tun.writable.getWriter().write(new Uint8Array(20))).rejects.toThrow(/removed/);
    expect(() => s.removeInterface(tun)).toThrow(code('ERR_INVALID_ARG_VALUE'));
  });
});

describe('loopback, reboot and the shorthand', () => {
  it('a loopback interface carries connections to itself; localhost goes there', () => {
    const clock = new VirtualClock();
    const s = new Stack({ clock });
    s.createLoopbackInterface();
    let got = '';
    s.listen(7, {}, (c) => c.on('data', (d: Uint8Array) => { got += new TextDecoder().decode(d); }));
    const c = s.connect({ host: 'localhost', port: 7 });
    c.on('connect', () => c.write('to myself'));
    clock.runFor(100);
    expect(got).toBe('to myself');
    expect([c.localAddress, c.remoteAddress]).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('reboot brings the interfaces up again (a new gratuitous ARP) with no memory of old connections', async () => {
    const clock = new VirtualClock();
    const s = new Stack({ clock });
    const tap = s.createTapInterface({ ip: '10.0.0.1/24' });
    const reader = tap.readable.getReader();
    clock.runFor(1);
    expect(parseArp((await reader.read()).value!)).toMatchObject({ op: 'request', senderIp: '10.0.0.1', targetIp: '10.0.0.1' });
    s.reboot();
    clock.runFor(1);
    expect(parseArp((await reader.read()).value!)).toMatchObject({ op: 'request', senderIp: '10.0.0.1', targetIp: '10.0.0.1' });
    expect(s.interfaces).toEqual([tap]);
  });

  it('the shorthand (address + link) keeps working next to a TUN interface; each reaches its own peers', () => {
    const clock = new VirtualClock();
    const a = new Stack({ clock, address: '10.0.0.1', name: 'a' });
    const b = new Stack({ clock, address: '10.0.0.2', name: 'b' });
    DirectLink.connect(a, b, clock);
    const tun = a.createTunInterface({ ip: '172.16.0.1/24' });
    const c = new Stack({ clock, name: 'c' });
    const ct = c.createTunInterface({ ip: '172.16.0.2/24' });
    // Join a's TUN and c's TUN with one more direct link.
    const link = new DirectLink(clock);
    tun.attach(link);
    ct.attach(link);
    const seen: string[] = [];
    for (const x of [b, c]) x.listen(9, {}, (sock) => seen.push(`${x.name} ${sock.localAddress}<-${sock.remoteAddress}`));
    a.connect({ host: '10.0.0.2', port: 9 });
    a.connect({ host: '172.16.0.2', port: 9 });
    clock.runFor(100);
    expect(seen.sort()).toEqual(['b 10.0.0.2<-10.0.0.1', 'c 172.16.0.2<-172.16.0.1']);
  });
});
