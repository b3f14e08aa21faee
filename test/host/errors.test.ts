import { describe, expect, it } from 'vitest';
import type { SystemError } from '../../src/util/errors.js';
import { SERVER, CLIENT, simPair, tcpOf } from './helpers.js';

type Err = SystemError | undefined;

/** A client connected to a server on port 80 that reads and discards; `seen.err` is the client's error. */
function sinkPair() {
  const pair = simPair();
  pair.server.listen(80, {}, (s) => s.on('data', () => undefined));
  const c = pair.client.connect({ host: SERVER, port: 80 });
  const seen: { err: Err } = { err: undefined };
  c.on('error', (e: SystemError) => (seen.err = e));
  return { ...pair, c, seen };
}

describe('socket errors carry Node codes', () => {
  it('ECONNREFUSED: nobody listens on the port', () => {
    const { clock, client, taps } = simPair();
    const c = client.connect({ host: SERVER, port: 81 });
    let err: Err;
    let closedWithError: boolean | undefined;
    c.on('error', (e: SystemError) => (err = e));
    c.on('close', (h: boolean) => (closedWithError = h));
    clock.runFor(1000);
    expect(err?.code).toBe('ECONNREFUSED');
    expect(err?.syscall).toBe('connect');
    expect(err?.message).toBe(`connect ECONNREFUSED ${SERVER}:81`);
    expect(closedWithError).toBe(true);
    const rst = taps.map((t) => tcpOf(t.bytes)).find((t) => t.rst);
    expect(rst?.ackFlag).toBe(true);
  });

  it('ECONNRESET: the server rebooted and answers our next segment with RST', () => {
    const { clock, net, c, seen } = sinkPair();
    clock.runFor(100);
    expect(c.tcpState).toBe('ESTABLISHED');
    net.crash(SERVER);
    net.reboot(SERVER);
    c.write('anyone there?');
    clock.runFor(5000);
    expect(seen.err?.code).toBe('ECONNRESET');
  });

  it('ETIMEDOUT: the server host died silently while data was in flight', () => {
    const { clock, net, c, seen } = sinkPair();
    clock.runFor(100);
    net.crash(SERVER);
    c.write('lost');
    clock.runUntil(() => seen.err !== undefined, { timeout: 3_600_000 });
    expect(seen.err?.code).toBe('ETIMEDOUT');
    expect(c.tcpState).toBe('CLOSED');
  });

  it('EHOSTUNREACH: a router on the path answers ICMP host unreachable until the retry limit', () => {
    const { clock, net, client, server, taps } = simPair();
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    const c = client.connect({ host: SERVER, port: 80 });
    let err: Err;
    c.on('error', (e: SystemError) => (err = e));
    clock.runFor(100);
    net.partition(CLIENT, SERVER, { icmp: true });
    c.write('through a dead router');
    clock.runFor(10_000);
    expect(err).toBeUndefined(); // ICMP is a soft error: the connection lives on (RFC 1122 4.2.3.9)
    expect(c.softError).toBe('EHOSTUNREACH');
    clock.runUntil(() => err !== undefined, { timeout: 3_600_000 });
    expect(err?.code).toBe('EHOSTUNREACH');
    expect(taps.filter((t) => t.fate === 'icmp').length).toBeGreaterThan(3);
  });

  it('EPIPE: writing after end()', () => {
    const { clock, client, server } = simPair();
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    const c = client.connect({ host: SERVER, port: 80 });
    let err: Err;
    c.on('error', (e: SystemError) => (err = e));
    clock.runFor(100);
    c.end();
    expect(c.write('too late')).toBe(false);
    clock.runFor(100);
    expect(err?.code).toBe('EPIPE');
  });

  it('destroy(err) emits that error then close', () => {
    const { clock, client, server } = simPair();
    server.listen(80);
    const c = client.connect({ host: SERVER, port: 80 });
    const log: string[] = [];
    c.on('error', (e: Error) => log.push(e.message));
    c.on('close', (h: boolean) => log.push(`close ${h}`));
    clock.runFor(100);
    c.destroy(new Error('boom'));
    expect(log).toEqual([]);
    clock.runFor(100);
    expect(log).toEqual(['boom', 'close true']);
  });
});

describe('retransmission timeline', () => {
  it('gaps between retransmissions double from the RTO up to the maximum, then ETIMEDOUT', () => {
    const rtoMaxMs = 8000;
    const dataRetries = 8;
    const { clock, net, client, server, taps } = simPair({}, { rtoMaxMs, dataRetries });
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    const c = client.connect({ host: SERVER, port: 80, noDelay: true });
    let err: Err;
    let errAt = 0;
    c.on('error', (e: SystemError) => {
      err = e;
      errAt = clock.now();
    });
    clock.runFor(200);
    net.crash(SERVER);
    const sentAt = clock.now();
    c.write('x');
    clock.runUntil(() => err !== undefined, { timeout: 3_600_000 });
    expect(err?.code).toBe('ETIMEDOUT');
    const sends = taps
      .filter((t) => t.from === client.addr && t.time >= sentAt)
      .map((t) => ({ t: t.time, ...tcpOf(t.bytes) }))
      .filter((s) => s.len === 1);
    expect(sends.length).toBe(1 + dataRetries);
    const gaps = sends.slice(1).map((s, i) => s.t - sends[i].t);
    const first = gaps[0];
    expect(first).toBeGreaterThanOrEqual(200); // RTO >= rtoMin (RFC 6298 2.4)
    for (let i = 1; i < gaps.length; i++) {
      const expected = Math.min(first * 2 ** i, rtoMaxMs);
      expect(gaps[i]).toBeCloseTo(expected, 0);
    }
    expect(gaps.at(-1)).toBe(rtoMaxMs);
    expect(errAt).toBeGreaterThan(sends.at(-1)!.t);
  });
});
