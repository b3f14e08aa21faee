// Our stack on a TAP device against the Linux kernel (`wasm-tcp tun --tap`): ARP both ways, ping,
// TCP both ways (echo, get, serve, discard, send), and a second namespace routed through the first;
// and a program of its own putting a stack on a kernel TAP or TUN device with the packaged API
// (test/interop/stack-program.mjs).
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeCapture, jsonObject } from '../../src/pcap/decode.js';
import { Netns, run, until } from './netns.js';
import { describeInterop, expectHttpGet, expectSendToSink, randomFile, sha256, stop, suiteDir } from './suite.js';

const MB = 1 << 20;
const PROGRAM = fileURLToPath(new URL('./stack-program.mjs', import.meta.url));
const MAC = '02:00:00:77:00:02';
/** The JSON objects of a capture, as `wasm-tcp decode --json` prints them. */
function decoded(file: string): Record<string, any>[] {
  return [...decodeCapture(new Uint8Array(readFileSync(file)))].map(jsonObject);
}

describeInterop('our stack over TAP against the kernel', () => {
  const dir = suiteDir('wasm-tcp-tapstack-');

  it('the kernel resolves us by ARP (ip neigh: our MAC, REACHABLE), ping -c 5 gets 5 replies, its client gets 1 MB echoed identical', async () => {
    const ns = await Netns.create();
    const pcap = join(dir, 'echo.pcap');
    const tun = await ns.tun(['--tap', '--mac', MAC, '--dev', 'wtap0', '--pcap', pcap, 'echo', '--port', '7']);
    const ping = await ns.exec('ping', ['-n', '-c', '5', '-i', '0.2', '-W', '2', '10.77.0.2'], 20_000);
    expect(ping.stdout).toMatch(/5 packets transmitted, 5 received, 0% packet loss/);
    const neigh = await ns.exec('ip', ['neigh', 'show', '10.77.0.2', 'dev', 'wtap0']);
    expect(neigh.stdout.trim()).toMatch(new RegExp(`^10\\.77\\.0\\.2 lladdr ${MAC} (REACHABLE|DELAY|STALE)$`));
    const client = ns.peer(['echo-client', '10.77.0.2', '7', String(MB)]);
    const r = await client.waitJson(/"event": "done"/, 60_000);
    expect(r.received).toBe(MB);
    expect(r.received_sha256).toBe(r.sent_sha256);
    expect(await tun.waitLine(/^echo 10\.77\.0\.1:\d+ bytes/)).toMatch(/ bytes 1048576$/);
    // Right after traffic the kernel holds our entry as confirmed.
    const after = await ns.exec('ip', ['neigh', 'show', '10.77.0.2', 'dev', 'wtap0']);
    expect(after.stdout.trim()).toBe(`10.77.0.2 lladdr ${MAC} REACHABLE`);
    expect(await stop(tun)).toBe(143);
    // The capture: the kernel's request, our reply, 5 echo replies from us; tshark finds nothing malformed.
    const objs = decoded(pcap);
    expect(objs.find((o) => o.proto === 'arp' && o.op === 2 && o.senderIp === '10.77.0.2')).toMatchObject({ senderMac: MAC, targetIp: '10.77.0.1' });
    const replies = objs.filter((o) => o.proto === 'icmp' && o.type === 0 && o.src === '10.77.0.2');
    expect(replies.map((o) => o.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(replies.every((o) => o.checksumOk && o.ipChecksumOk)).toBe(true);
    const malformed = await run('tshark', ['-r', pcap, '-Y', '_ws.malformed || _ws.expert.severity == error', '-T', 'fields', '-e', 'frame.number'], 60_000);
    expect(malformed.code, malformed.stderr).toBe(0);
    expect(malformed.stdout.trim()).toBe('');
    await ns.destroy();
  });

  it('our get of an 8 MB file from python3 -m http.server: sha256 identical; our ARP answered by the kernel (we spoke first)', async () => {
    const ns = await Netns.create();
    const pcap = join(dir, 'get.pcap');
    await expectHttpGet(ns, dir, 8 * MB, ['--tap', '--mac', MAC, '--dev', 'wtap1', '--pcap', pcap]);
    const objs = decoded(pcap);
    const ourRequest = objs.findIndex((o) => o.proto === 'arp' && o.op === 1 && o.senderIp === '10.77.0.2' && o.targetIp === '10.77.0.1');
    const theirReply = objs.findIndex((o) => o.proto === 'arp' && o.op === 2 && o.senderIp === '10.77.0.1' && o.targetIp === '10.77.0.2' && o.targetMac === MAC);
    const syn = objs.findIndex((o) => o.flagNames === 'S');
    expect(ourRequest).toBeGreaterThanOrEqual(0);
    expect(theirReply).toBeGreaterThan(ourRequest);
    expect(syn).toBeGreaterThan(theirReply);
    // The kernel never had to ask for us before our SYN: it learnt our MAC from our request.
    expect(objs.slice(0, syn).some((o) => o.proto === 'arp' && o.op === 1 && o.senderIp === '10.77.0.1')).toBe(false);
    await ns.destroy();
  });

  it('behind a gateway: a second namespace routed through the first reaches our stack and back', async () => {
    const ns = await Netns.create();
    const far = await Netns.create();
    // ns (10.78.0.1) <-veth-> far (10.78.0.2); ns forwards between the veth and our TAP segment.
    const a = `wv${process.pid % 10000}a`;
    const b = `wv${process.pid % 10000}b`;
    for (const args of [
      ['link', 'add', a, 'netns', ns.name, 'type', 'veth', 'peer', 'name', b, 'netns', far.name],
      ['-n', ns.name, 'addr', 'add', '10.78.0.1/24', 'dev', a], ['-n', ns.name, 'link', 'set', a, 'up'],
      ['-n', far.name, 'addr', 'add', '10.78.0.2/24', 'dev', b], ['-n', far.name, 'link', 'set', b, 'up'],
      ['-n', far.name, 'route', 'add', '10.77.0.0/24', 'via', '10.78.0.1'],
    ]) expect((await run('ip', args)).code, args.join(' ')).toBe(0);
    expect((await ns.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1'])).code).toBe(0);
    const tun = await ns.tun(['--tap', '--mac', MAC, '--dev', 'wtap2', 'echo', '--port', '7']);
    const ping = await far.exec('ping', ['-n', '-c', '3', '-i', '0.2', '-W', '2', '10.77.0.2'], 20_000);
    expect(ping.stdout).toMatch(/3 packets transmitted, 3 received/);
    expect(ping.stdout).toMatch(/ttl=63/); // one router on the way
    const client = far.peer(['echo-client', '10.77.0.2', '7', String(256 * 1024)]);
    const r = await client.waitJson(/"event": "done"/, 30_000);
    expect(r.received).toBe(256 * 1024);
    expect(r.received_sha256).toBe(r.sent_sha256);
    expect(await tun.waitLine(/^echo 10\.78\.0\.2:\d+ bytes/)).toMatch(/ bytes 262144$/);
    expect(await stop(tun)).toBe(143);
    await ns.destroy();
    await far.destroy();
  });

  it('serve, discard and send over TAP: 2 MB each way, sha256 identical', async () => {
    const { file, data, sha } = randomFile(dir, 'served.bin', 2 * MB + 5);
    const ns = await Netns.create();
    const serve = await ns.tun(['--tap', '--dev', 'wtap4', 'serve', file, '--port', '8080']);
    const client = ns.peer(['echo-client', '10.77.0.2', '8080', '0']); // half-closes at once, reads to EOF
    const got = await client.waitJson(/"event": "done"/, 30_000);
    expect(got.received).toBe(data.length);
    expect(got.received_sha256).toBe(sha);
    expect(await stop(serve)).toBe(143);
    const discard = await ns.tun(['--tap', '--dev', 'wtap4', 'discard', '--port', '9']);
    const src = ns.peer(['source', '10.77.0.2', '9', String(2 * MB)]);
    const sent = await src.waitJson(/"event": "done"/, 30_000);
    expect(await discard.waitLine(/^discard /, 30_000)).toMatch(new RegExp(`^discard 10\\.77\\.0\\.1:\\d+ bytes ${2 * MB} sha256 ${sent.sha256} eof$`));
    expect(await stop(discard)).toBe(143);
    await expectSendToSink(ns, 2 * MB, ['--tap', '--dev', 'wtap4'], 30_000);
    await ns.destroy();
  });

  it.each([
    { kind: 'tap', dev: 'wtap3', api: 'openTap + stack.createTapInterface' },
    { kind: 'tun', dev: 'wtun3', api: 'openTun + stack.createTunInterface' },
  ])('a program of its own ($api): ping and 256 KiB TCP echo from the kernel', async ({ kind, dev }) => {
    const ns = await Netns.create();
    const p = ns.spawn(process.execPath, [PROGRAM, kind, dev], `program ${kind}`);
    expect(JSON.parse(await p.waitLine(/"event":"ready"/, 20_000))).toEqual({
      event: 'ready', kind, dev, mac: kind === 'tap' ? '02:00:5e:10:00:07' : null, ifaceMac: kind === 'tap' ? '02:00:5e:10:00:07' : null,
    });
    const ping = await ns.exec('ping', ['-n', '-c', '3', '-i', '0.2', '-W', '2', '10.79.0.2'], 20_000);
    expect(ping.stdout, p.transcript()).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    if (kind === 'tap') {
      const neigh = await ns.exec('ip', ['neigh', 'show', '10.79.0.2', 'dev', dev]);
      expect(neigh.stdout.trim()).toBe('10.79.0.2 lladdr 02:00:5e:10:00:07 REACHABLE');
    }
    const client = ns.peer(['echo-client', '10.79.0.2', '7', String(256 * 1024)]);
    const r = await client.waitJson(/"event": "done"/, 30_000);
    expect(r.received).toBe(256 * 1024);
    expect(r.received_sha256).toBe(r.sent_sha256);
    p.kill('SIGTERM');
    expect(await p.exit(10_000), p.transcript()).toBe(0);
    const closed = JSON.parse(p.lines.at(-1)!);
    expect(closed.echoed).toBe(256 * 1024);
    expect(closed.device.rxQueueDropped).toBe(0);
    expect(closed.iface.rxPackets).toBe(closed.device.rxPackets);
    await until(async () => (await ns.links()).join() === 'lo', 5000, `${dev} removed`);
    await ns.destroy();
  });
});
