// Three (or four) stacks on one simulated Ethernet segment (SimNetwork layer 2: a learning switch)
// with real ARP: resolution, a full neighbour cache, a gratuitous ARP updating a cache, a MAC
// conflict, an address nobody has (EHOSTUNREACH after the retries), the path controls, and the
// LINKTYPE_ETHERNET capture tshark reads without a malformed packet.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../src/clock/virtual.js';
import { SimNetwork } from '../../src/link/sim.js';
import type { TapEvent } from '../../src/link/link.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, PcapWriter } from '../../src/pcap/writer.js';
import { Stack } from '../../src/stack.js';
import type { Socket } from '../../src/socket.js';
import type { EngineConfig } from '../../src/engine/engine.js';
import { parseArp } from '../support/ethernet.js';

const hasTshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A segment and `n` stacks on it: host i is 10.0.0.(i+1)/24 with MAC 02:00:00:00:00:0(i+1). */
function lan(n: number, opts: { config?: Partial<EngineConfig>; net?: Partial<ConstructorParameters<typeof SimNetwork>[0]> } = {}) {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, layer: 2, seed: 5, ...opts.net });
  const events: TapEvent[] = [];
  net.tap((e) => events.push({ ...e, bytes: e.bytes.slice() }));
  const hosts = Array.from({ length: n }, (_, i) => {
    const stack = new Stack({ clock, name: `h${i + 1}`, config: opts.config, seed: i + 1 });
    const tap = stack.createTapInterface({ mac: `02:00:00:00:00:0${i + 1}`, ip: `10.0.0.${i + 1}/24` });
    tap.attach(net);
    return { stack, tap };
  });
  return { clock, net, hosts, events };
}

/** Echo servers on port 7 of every host. */
function echoServers(hosts: { stack: Stack }[]): void {
  for (const { stack } of hosts) {
    stack.listen(7, {}, (s) => {
      s.on('data', (d: Uint8Array) => s.write(d));
      s.on('end', () => s.end());
    });
  }
}

/** Connects `from` to `host:7`, sends `text`, resolves with what came back (or the error code). */
function exchange(clock: VirtualClock, from: Stack, host: string, text: string): string {
  let got = '';
  let err = '';
  const s: Socket = from.connect({ host, port: 7 });
  s.on('connect', () => s.end(text));
  s.on('data', (d: Uint8Array) => { got += new TextDecoder().decode(d); });
  s.on('error', (e: Error & { code?: string }) => { err = e.code ?? String(e); });
  clock.runUntil(() => s.destroyed, { timeout: 60_000 });
  return err || got;
}

const arpOf = (events: TapEvent[]) => events.filter((e) => e.bytes[12] === 8 && e.bytes[13] === 6 && e.fate !== 'dropped');

describe('an Ethernet segment of stacks (SimNetwork layer 2)', () => {
  it('ARP: a broadcast who-has reaches every port, the reply comes back unicast, the data flows; the others learn nothing', () => {
    const { clock, hosts, events } = lan(3);
    echoServers(hosts);
    clock.runFor(10);
    events.length = 0;
    expect(exchange(clock, hosts[0].stack, '10.0.0.2', 'hello over the switch')).toBe('hello over the switch');
    const arp = arpOf(events).map((e) => [parseArp(e.bytes)?.op, e.from, e.to]);
    // The request flooded to both other ports; the reply to its asker only.
    const h = (i: number) => (10 << 24 | i) >>> 0;
    expect(arp.slice(0, 3)).toEqual([['request', h(1), h(2)], ['request', h(1), h(3)], ['reply', h(2), h(1)]]);
    expect(hosts[0].stack.neighbours().map((n) => [n.address, n.mac, n.state])).toEqual([['10.0.0.2', '02:00:00:00:00:02', 'REACHABLE']]);
    expect(hosts[2].stack.neighbours()).toEqual([]);
    expect(hosts[2].stack.engine.stats.arpIn).toBeGreaterThanOrEqual(1); // it saw the request, and the gratuitous ones
  });

  it('a full neighbour cache (one entry): talking to two hosts in turn evicts and re-resolves, and every exchange completes', () => {
    const { clock, hosts } = lan(3, { config: { arpCacheSize: 1 } });
    echoServers(hosts);
    const a = hosts[0].stack;
    for (const [i, host] of ['10.0.0.2', '10.0.0.3', '10.0.0.2', '10.0.0.3'].entries()) {
      expect(exchange(clock, a, host, `round ${i}`)).toBe(`round ${i}`);
      expect(a.neighbours().length).toBe(1);
    }
    expect(a.engine.stats.arpEvictions).toBeGreaterThanOrEqual(3);
  });

  it("a gratuitous ARP updates the others' caches: a host's new interface (new MAC, same address) is reached without asking", () => {
    const { clock, net, hosts, events } = lan(3);
    echoServers(hosts);
    expect(exchange(clock, hosts[0].stack, '10.0.0.3', 'before')).toBe('before');
    const c = hosts[2];
    c.stack.removeInterface(c.tap);
    const tap2 = c.stack.createTapInterface({ mac: '02:00:00:00:00:33', ip: '10.0.0.3/24' });
    tap2.attach(net);
    events.length = 0;
    clock.runFor(1); // the gratuitous ARP
    expect(hosts[0].stack.neighbours().find((n) => n.address === '10.0.0.3')).toMatchObject({ mac: '02:00:00:00:00:33', state: 'STALE' });
    expect(exchange(clock, hosts[0].stack, '10.0.0.3', 'after')).toBe('after');
    // Nobody had to ask where 10.0.0.3 is: the only ARP request on the wire is the announcement itself.
    const requests = arpOf(events).filter((e) => parseArp(e.bytes)?.op === 'request' && parseArp(e.bytes)?.targetIp === '10.0.0.3');
    expect(requests.map((e) => parseArp(e.bytes)?.senderMac)).toEqual(['02:00:00:00:00:33', '02:00:00:00:00:33']); // flooded to 2 ports
  });

  it('a MAC conflict: a host brought up with an address in use is counted by both (its gratuitous ARP, the defence)', () => {
    const { clock, net, hosts } = lan(3);
    clock.runFor(10);
    const intruder = new Stack({ clock, name: 'intruder', seed: 9 });
    intruder.createTapInterface({ mac: '02:00:00:00:00:44', ip: '10.0.0.2/24' }).attach(net);
    clock.runFor(10);
    expect(hosts[1].stack.engine.stats.arpConflicts).toBe(1);
    expect(intruder.engine.stats.arpConflicts).toBe(1);
    expect(hosts[0].stack.engine.stats.arpConflicts).toBe(0);
  });

  it('an address nobody has: who-has at 0, 1 and 2 s, connect() fails with EHOSTUNREACH at 3 s', () => {
    const { clock, hosts, events } = lan(3);
    clock.runFor(10);
    events.length = 0;
    const t0 = clock.now();
    let failedAt = NaN;
    let code = '';
    const s = hosts[0].stack.connect({ host: '10.0.0.9', port: 80 });
    s.on('error', (e: Error & { code?: string }) => { failedAt = clock.now(); code = e.code ?? ''; });
    clock.runFor(10_000);
    const asked = arpOf(events).filter((e) => e.from === hosts[0].tap.addr && e.to === hosts[1].tap.addr);
    expect(asked.map((e) => [e.time - t0, parseArp(e.bytes)?.targetIp])).toEqual([[0, '10.0.0.9'], [1000, '10.0.0.9'], [2000, '10.0.0.9']]);
    expect([code, failedAt - t0]).toEqual(['EHOSTUNREACH', 3000]);
    expect(events.filter((e) => e.bytes[12] === 8 && e.bytes[13] === 0)).toEqual([]); // the SYNs never left
  });

  it('the path controls apply per pair of ports: a partition makes ARP fail, healing restores it; loss is survived', () => {
    const { clock, net, hosts } = lan(3, { net: { delay: 1 } });
    echoServers(hosts);
    clock.runFor(10);
    net.partition('10.0.0.1', '10.0.0.2');
    expect(exchange(clock, hosts[0].stack, '10.0.0.2', 'x')).toBe('EHOSTUNREACH');
    expect(exchange(clock, hosts[0].stack, '10.0.0.3', 'still fine')).toBe('still fine');
    net.heal();
    net.setConditions({ loss: 0.05 });
    const big = 'y'.repeat(200_000);
    expect(exchange(clock, hosts[0].stack, '10.0.0.2', big)).toBe(big);
    expect(net.stats.lost).toBeGreaterThan(0);
  });

  it('pcap tee: one record per frame as sent (LINKTYPE_ETHERNET only); tshark reads it with no malformed packet', () => {
    const { clock, net, hosts } = lan(3);
    expect(() => net.pcap(new PcapWriter(() => {}, 262144, LINKTYPE_RAW))).toThrow(/link type/);
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c.slice()), 262144, LINKTYPE_ETHERNET);
    net.pcap(w);
    echoServers(hosts);
    const sent0 = net.stats.sent;
    expect(exchange(clock, hosts[0].stack, '10.0.0.3', 'captured '.repeat(500))).toBe('captured '.repeat(500));
    clock.runFor(70_000);
    const records = chunks.length - 1;
    expect(records).toBe(net.stats.sent - sent0); // a flooded frame is one record
    if (!hasTshark && process.env.CI !== 'true') return;
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-l2-'));
    try {
      const file = join(dir, 'lan.pcap');
      writeFileSync(file, Buffer.concat(chunks));
      const out = execFileSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields',
        '-e', 'frame.protocols', '-e', '_ws.malformed', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const rows = out.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
      expect(rows.length).toBe(records);
      expect(rows.filter((r) => r[1] !== '')).toEqual([]);
      expect(rows.some((r) => r[0] === 'eth:ethertype:arp')).toBe(true);
      const tcp = rows.filter((r) => r[0].startsWith('eth:ethertype:ip:tcp'));
      expect(tcp.length).toBeGreaterThan(5);
      expect(tcp.every((r) => r[2] === '1' && r[3] === '1')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
