// The interface API's cases, framework-free so the same file runs under vitest in Node and inside a
// Chromium page (test/iface/browser.test.ts bundles it with the browser build of the core).
import type * as Lib from '../../src/browser.js';
import { acceptOne, drain, drive, eq, ok, source, type Case } from '../streams/cases.js';
import { arpFrame, echoFrame, parseArp, parseEcho } from '../support/ethernet.js';

type LibT = typeof Lib;

/** Two stacks with no shorthand address, one interface each, on one virtual clock. */
function stacks(lib: LibT) {
  const clock = new lib.VirtualClock();
  const a = new lib.Stack({ clock, name: 'a', seed: 1 });
  const b = new lib.Stack({ clock, name: 'b', seed: 2 });
  return { clock, a, b };
}

/** A 10 MB echo through `a` → `b` → `a`, checked by sha256 on the way back. */
async function echo10MB(lib: LibT, clock: Lib.VirtualClock, a: Lib.Stack, b: Lib.Stack, host: string, bytes: number): Promise<void> {
  const listener = await drive(clock, b.listenTcp({ port: 7 }));
  const server = (async () => {
    const conn = await acceptOne(listener);
    eq(conn.localAddress, host, 'server local address');
    await conn.readable.pipeTo(conn.writable);
  })();
  const c = await drive(clock, a.connectTcp({ host, port: 7 }));
  const src = source(lib, bytes, 12);
  const [[n, hash]] = await drive(clock, Promise.all([drain(lib, c.readable), src.stream.pipeTo(c.writable), server]));
  eq(n, bytes, 'bytes echoed');
  eq(hash, src.hash, 'sha256 of the echo');
  await drive(clock, listener.close());
}

export const IFACE_CASES: Case[] = [
  {
    name: 'two stacks whose TAP streams are piped into each other: ARP, then a 10 MB echo bit-exact',
    async run({ lib, bigBytes }) {
      const { clock, a, b } = stacks(lib);
      const ta = a.createTapInterface({ mac: '02:00:00:00:00:01', ip: '10.0.0.1/24' });
      const tb = b.createTapInterface({ mac: '02:00:00:00:00:02', ip: '10.0.0.2/24' });
      eq([ta.mac, ta.ip, tb.mac, tb.ip], ['02:00:00:00:00:01', '10.0.0.1/24', '02:00:00:00:00:02', '10.0.0.2/24'], 'interface fields');
      const pipes = [ta.readable.pipeTo(tb.writable), tb.readable.pipeTo(ta.writable)];
      pipes.forEach((p) => p.catch(() => {}));
      await echo10MB(lib, clock, a, b, '10.0.0.2', bigBytes);
      const na = a.neighbours();
      eq(na.map((n) => [n.address, n.mac, n.iface === ta]), [['10.0.0.2', '02:00:00:00:00:02', true]], 'a learnt b by ARP');
      eq(b.neighbours().map((n) => n.address), ['10.0.0.1'], 'b learnt a');
      ok(a.engine.stats.arpOut >= 2 && b.engine.stats.arpIn >= 2, 'gratuitous ARP and a resolution each way');
      eq([ta.stats.txDropped, tb.stats.txDropped], [0, 0], 'no frame dropped while both readers ran');
      ok(ta.stats.txBytes > bigBytes && tb.stats.rxBytes === ta.stats.txBytes, 'every frame a sent reached b');
      a.removeInterface(ta);
      b.removeInterface(tb);
      await Promise.all(pipes.map((p) => p.catch(() => {})));
    },
  },
  {
    name: 'two stacks whose TUN streams are piped into each other: a 10 MB echo bit-exact',
    async run({ lib, bigBytes }) {
      const { clock, a, b } = stacks(lib);
      const ta = a.createTunInterface({ ip: '192.168.7.1/30' });
      const tb = b.createTunInterface({ ip: '192.168.7.2/30' });
      ta.readable.pipeTo(tb.writable).catch(() => {});
      tb.readable.pipeTo(ta.writable).catch(() => {});
      await echo10MB(lib, clock, a, b, '192.168.7.2', bigBytes);
    },
  },
  {
    name: 'ping over TUN and TAP: echo requests written to writable, replies read from readable (for await)',
    async run({ lib }) {
      const { clock, a } = stacks(lib);
      const tun = a.createTunInterface({ ip: '10.8.0.1/24' });
      const tap = a.createTapInterface({ mac: '02:00:00:00:00:01', ip: '10.9.0.1/24' });
      const data = new Uint8Array(56).map((_, i) => i);
      const PINGER = '02:00:00:00:00:99';
      const request = (dst: string, src: string, seq: number) => echoFrame('02:00:00:00:00:01', PINGER, { type: 'request', src, dst, id: 77, seq, data });
      const collect = async (it: AsyncIterable<Uint8Array>, ip: boolean, n: number) => {
        const out: string[] = [];
        for await (const b of it) {
          const e = parseEcho(ip ? new Uint8Array([...new Uint8Array(12), 8, 0, ...b]) : b);
          const arp = !ip && parseArp(b);
          if (arp) out.push(`arp ${arp.op} ${arp.senderIp}>${arp.targetIp}`);
          else out.push(`${e?.type} ${e?.src}>${e?.dst} seq ${e?.seq} ${e?.data.length} ${e && e.data.every((v, i) => v === i)}`);
          if (out.length === n) break;
        }
        return out;
      };
      const fromTun = collect(tun, true, 2);
      const fromTap = collect(tap, false, 4);
      const wTun = tun.writable.getWriter();
      const wTap = tap.writable.getWriter();
      for (const seq of [1, 2]) await wTun.write(request('10.8.0.1', '10.8.0.2', seq).slice(14));
      // A real pinger on the LAN asks for our MAC first; its request teaches us its own.
      await wTap.write(arpFrame({ op: 'request', senderMac: PINGER, senderIp: '10.9.0.2', targetMac: '00:00:00:00:00:00', targetIp: '10.9.0.1' }));
      for (const seq of [1, 2]) await wTap.write(request('10.9.0.1', '10.9.0.2', seq));
      const [tunOut, tapOut] = await drive(clock, Promise.all([fromTun, fromTap]));
      eq(tunOut, ['reply 10.8.0.1>10.8.0.2 seq 1 56 true', 'reply 10.8.0.1>10.8.0.2 seq 2 56 true'], 'TUN replies');
      eq(tapOut, [
        'arp request 10.9.0.1>10.9.0.1', // the gratuitous ARP of the interface coming up
        'arp reply 10.9.0.1>10.9.0.2',
        'reply 10.9.0.1>10.9.0.2 seq 1 56 true',
        'reply 10.9.0.1>10.9.0.2 seq 2 56 true',
      ], 'TAP: gratuitous ARP, the ARP reply, then the echo replies');
      eq(a.engine.stats.icmpEchoReplies, 4, 'replies counted');
    },
  },
];
