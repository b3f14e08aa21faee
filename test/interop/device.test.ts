// wasm-tcp/tun as a library (dist/tun.js): openTap/openTun against the kernel with frames built by
// the test (test/interop/device-frames.mjs, run inside the namespace), no stack involved.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openTap, openTun } from '../../src/tun/index.js';
import { Netns, destroyAll } from './netns.js';
import { describeInterop, untilCleanedUp } from './suite.js';

const FRAMES = fileURLToPath(new URL('./device-frames.mjs', import.meta.url));

describe('openTun/openTap options (checked before any device is made)', () => {
  const base = { kernelAddr: '10.78.0.1/24', addr: '10.78.0.2' };
  it.each([
    [() => openTun(undefined as never), TypeError, 'openTun: expected an options object'],
    [() => openTun({ ...base, kernelAddr: undefined as never }), TypeError, 'openTun: kernelAddr must be a string, got nothing'],
    [() => openTun({ ...base, kernelAddr: '10.78.0.1' }), RangeError, "openTun: invalid kernelAddr '10.78.0.1' (want a.b.c.d/nn)"],
    [() => openTun({ ...base, addr: '10.78.0.256' }), RangeError, "openTun: invalid addr '10.78.0.256' (want a.b.c.d)"],
    [() => openTun({ ...base, addr: '10.78.0.1' }), RangeError, "openTun: addr must differ from the kernel side's address"],
    [() => openTun({ ...base, mtu: 100 }), RangeError, 'openTun: mtu must be an integer from 576 to 65507, got 100'],
    [() => openTap({ ...base, mtu: 65500 }), RangeError, 'openTap: mtu must be an integer from 576 to 65493, got 65500'],
    [() => openTap({ ...base, queue: 0 }), RangeError, 'openTap: queue must be an integer from 1 to 1048576, got 0'],
    [() => openTap({ ...base, dev: 7 as never }), TypeError, 'openTap: dev must be a string, got number'],
    [() => openTap({ ...base, mac: '02:00:00:00:00' }), RangeError, "openTap: invalid mac '02:00:00:00:00' (want aa:bb:cc:dd:ee:ff)"],
    [() => openTap({ ...base, mac: '01:00:5e:00:00:01' }), RangeError, 'openTap: mac 01:00:5e:00:00:01: a multicast or broadcast address cannot be an interface address'],
    [() => openTap({ ...base, mac: '00:00:00:00:00:00' }), RangeError, 'openTap: mac 00:00:00:00:00:00: the all-zeros address cannot be an interface address'],
    [() => openTap({ ...base, capture: 'x' as never }), TypeError, 'openTap: capture must be a function'],
  ])('%#: rejects with a clear message', async (call, type, message) => {
    const p = call();
    await expect(p).rejects.toThrow(type);
    await expect(p).rejects.toThrow(message);
  });
});

describeInterop('wasm-tcp/tun devices with hand-built frames', () => {
  afterAll(destroyAll);

  it('openTap: the kernel answers our ARP request with its MAC, then 3 pings', async () => {
    const ns = await Netns.create();
    const p = ns.spawn(process.execPath, [FRAMES, 'tap-arp-ping', 'wd0'], 'tap-arp-ping');
    expect(await p.exit(20_000), p.transcript()).toBe(0);
    const lines = p.lines.map((l) => JSON.parse(l));
    const open = lines[0];
    expect(open).toMatchObject({ event: 'open', kind: 'tap', dev: 'wd0', mac: '02:00:5e:10:00:02', addr: '10.78.0.2', kernelAddr: '10.78.0.1/24', mtu: 1500 });
    expect(open.kernelMac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(lines[1]).toEqual({
      event: 'arp-reply', dst: '02:00:5e:10:00:02', senderMac: open.kernelMac, senderIp: '10.78.0.1', targetMac: '02:00:5e:10:00:02', targetIp: '10.78.0.2',
    });
    expect(lines.slice(2, 5)).toEqual([1, 2, 3].map((seq) => ({ event: 'echo-reply', dst: '02:00:5e:10:00:02', src: open.kernelMac, id: 0x77, seq, ok: true })));
    expect(lines[5].stats).toMatchObject({ txPackets: 4, rxDropped: 0, txDropped: 0, rxQueueDropped: 0 });
    // close() removed the device before resolving.
    expect(await ns.links()).toEqual(['lo']);
    await ns.destroy();
  });

  it('openTun: 3 pings as bare IPv4 packets', async () => {
    const ns = await Netns.create();
    const p = ns.spawn(process.execPath, [FRAMES, 'tun-ping', 'wd1'], 'tun-ping');
    expect(await p.exit(20_000), p.transcript()).toBe(0);
    const lines = p.lines.map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ event: 'open', kind: 'tun', dev: 'wd1', mac: null, addr: '10.78.0.2' });
    expect(lines.slice(1, 4)).toEqual([1, 2, 3].map((seq) => ({ event: 'echo-reply', id: 0x55, seq, ok: true })));
    expect(lines[4].stats).toMatchObject({ txPackets: 3, rxPackets: 3, rxQueueDropped: 0 });
    expect(await ns.links()).toEqual(['lo']);
    await ns.destroy();
  });

  it('a reader that does not read: the queue holds `queue` frames, the rest is dropped and counted', async () => {
    const ns = await Netns.create();
    const p = ns.spawn(process.execPath, [FRAMES, 'tap-queue', 'wd2', '40', '8'], 'tap-queue');
    expect(await p.exit(20_000), p.transcript()).toBe(0);
    const r = JSON.parse(p.lines[0]);
    // 1 ARP reply (read) + 40 echo replies: 8 fit the queue, 32 were dropped.
    expect(r).toEqual({ event: 'queue', queued: 8, dropped: 32, rx: 41, tx: 41 });
    await ns.destroy();
  });

  it('the TAP device goes away when its process is killed with SIGKILL', async () => {
    const ns = await Netns.create();
    const p = ns.spawn(process.execPath, [FRAMES, 'tap-hold', 'wd3', '02:11:22:33:44:55'], 'tap-hold');
    expect(JSON.parse(await p.waitLine(/"ready"/))).toEqual({ event: 'ready', mac: '02:11:22:33:44:55' });
    const link = await ns.exec('ip', ['-o', 'link', 'show', 'wd3']);
    expect(link.stdout).toMatch(/link\/ether /); // a TAP device: Ethernet
    p.kill('SIGKILL');
    await untilCleanedUp(ns, 'wd3');
    await ns.destroy();
  });
});
