// The device goes down for two seconds mid-transfer: both stacks retransmit and the bytes arrive intact.
import { afterAll, expect, it } from 'vitest';
import { Netns, destroyAll } from './netns.js';
import { describeInterop, kernelSink, stop } from './suite.js';

const BYTES = 20 << 20;

/**
 * How often the namespace's retransmission timers expired (TcpExt TCPTimeouts in /proc/net/netstat
 * as seen from inside it). RetransSegs is no proof here: segments retransmitted while the device is
 * down are dropped uncounted, and when only ACKs were lost the first ACK after the outage covers
 * everything, so a sender hit by the outage can end with RetransSegs 0 but never without a timeout.
 */
async function kernelRtoExpirations(ns: Netns): Promise<number> {
  const r = await ns.exec('cat', ['/proc/net/netstat']);
  const [names, values] = r.stdout.split('\n').filter((l) => l.startsWith('TcpExt:')).map((l) => l.split(/\s+/));
  return Number(values?.[names.indexOf('TCPTimeouts')]);
}

/** Bytes the kernel has sent to port `dport` and not yet seen acknowledged (`ss -ti` omits 0). */
async function kernelUnacked(ns: Netns, dport: number): Promise<number> {
  const r = await ns.exec('ss', ['-tniH', 'state', 'established', `( dport = :${dport} )`]);
  return Number(/\bunacked:(\d+)/.exec(r.stdout)?.[1] ?? 0);
}

/**
 * Takes `dev` down while the kernel has data in flight towards us, holds the outage 2 s, brings it
 * up. A sender that is idle at that instant (descheduled under load, its buffer drained) would need
 * no retransmission; in-flight data is the kernel's own timing, so this is retried a few times.
 */
async function outageWithKernelDataInFlight(ns: Netns, dev: string, dport: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    expect((await ns.exec('ip', ['link', 'set', dev, 'down'])).code).toBe(0);
    if ((await kernelUnacked(ns, dport)) > 0) break;
    expect((await ns.exec('ip', ['link', 'set', dev, 'up'])).code).toBe(0);
    if (attempt === 5) throw new Error('the kernel never had data in flight when the link went down');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 2000));
  expect((await ns.exec('ip', ['link', 'set', dev, 'up'])).code).toBe(0);
}

describeInterop('tun link outage', () => {
  afterAll(destroyAll);

  it('kernel -> our discard survives ip link down/up: bytes identical', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['--dev', 'wtout', 'discard', '--port', '9']);
    // Down once the transfer is under way (4 MB handed to the kernel), not right after connect().
    const src = ns.peer(['source', '10.77.0.2', '9', String(BYTES), '-1', String(4 << 20)]);
    await src.waitLine(/"event": "progress"/);
    await outageWithKernelDataInFlight(ns, 'wtout', 9);
    const sent = await src.waitJson(/"event": "done"/, 60_000);
    const line = await tun.waitLine(/^discard /, 30_000);
    expect(line).toMatch(new RegExp(`^discard 10\\.77\\.0\\.1:\\d+ bytes ${BYTES} sha256 ${sent.sha256} eof$`));
    // The outage really hit the transfer: the kernel's (the sender's) retransmission timer fired.
    expect(await kernelRtoExpirations(ns)).toBeGreaterThan(0);
    await stop(tun);
    await ns.destroy();
  });

  it('our send -> kernel survives ip link down/up: bytes identical, with retransmissions', async () => {
    const ns = await Netns.create();
    const sink = await kernelSink(ns);
    const send = await ns.tun(['--dev', 'wtout', 'send', '10.77.0.1:5001', '--bytes', String(BYTES)]);
    await sink.waitLine(/"event": "accepted"/);
    expect((await ns.exec('ip', ['link', 'set', 'wtout', 'down'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await ns.exec('ip', ['link', 'set', 'wtout', 'up'])).code).toBe(0);
    expect(await send.exit(60_000)).toBe(0);
    const got = await sink.waitJson(/"event": "done"/);
    expect(got.received).toBe(BYTES);
    expect(send.lines.at(-1)).toBe(`send 10.77.0.1:5001 bytes ${BYTES} sha256 ${got.sha256}`);
    const stats = send.errLines.find((l) => l.startsWith('tun: '));
    expect(Number(/(\d+) retransmits/.exec(stats ?? '')?.[1])).toBeGreaterThan(0);
    await ns.destroy();
  });
});
