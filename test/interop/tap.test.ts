// `wasm-tcp tun --tap`: the CLI on a TAP device. The device layer (dump, pcap, clean-up, errors).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, recordTime } from '../../src/pcap/reader.js';
import { CLI, Netns, run, until } from './netns.js';
import { describeInterop, expectNothingLeft, stop, suiteDir, untilCleanedUp } from './suite.js';

describe('tun --tap usage errors (no root needed)', () => {
  it.each([
    [['--mac', '02:00:00:00:00:01', 'echo', '--port', '7'], "wasm-tcp tun: --mac needs --tap (a TUN device has no MAC) (see wasm-tcp tun --help)"],
    [['--tap', '--mac', '02:00:00:00:01', 'echo', '--port', '7'], "wasm-tcp tun: invalid --mac '02:00:00:00:01' (want aa:bb:cc:dd:ee:ff) (see wasm-tcp tun --help)"],
    [['--tap', '--mac', 'ff:ff:ff:ff:ff:ff', 'echo', '--port', '7'], 'wasm-tcp tun: --mac ff:ff:ff:ff:ff:ff: a multicast or broadcast address cannot be an interface address (see wasm-tcp tun --help)'],
    [['--tap', '--addr', '10.9.0.2', 'echo', '--port', '7'], 'wasm-tcp tun: with --tap, --addr 10.9.0.2 must lie inside --kernel-addr 10.77.0.1/24 (a /30 or larger) (see wasm-tcp tun --help)'],
    [['--tap', '--mtu', '9217', 'dump'], 'wasm-tcp tun: --mtu must be between 576 and 9216, got 9217 (see wasm-tcp tun --help)'],
  ])('%j', (args, message) => {
    const r = spawnSync(process.execPath, [CLI, 'tun', ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stderr.trim()).toBe(message);
    expect(r.status).toBe(2);
  });
});

describeInterop('tun --tap against the kernel', () => {
  const dir = suiteDir('wasm-tcp-tap-');

  it('dump: the kernel ARPs for our address (3 tries, 1 s apart); the pcap is Ethernet that tshark reads without a malformed packet', async () => {
    const ns = await Netns.create();
    const pcap = join(dir, 'dump.pcap');
    const tun = ns.spawn(process.execPath, [CLI, 'tun', '--tap', '--dev', 'wtap0', '--pcap', pcap, '--json', 'dump', '--count', '3']);
    expect(JSON.parse(await tun.waitLine(/"event":"ready"/))).toEqual({ event: 'ready', dev: 'wtap0', addr: '10.77.0.2' });
    // Nothing answers: ping fails after the kernel's ARP tries.
    const ping = await ns.exec('ping', ['-n', '-c', '1', '-W', '4', '10.77.0.2'], 15_000);
    expect(ping.code).not.toBe(0);
    expect(await tun.exit(10_000)).toBe(0);
    const arps = tun.lines.slice(1).map((l) => JSON.parse(l));
    expect(arps).toHaveLength(3);
    for (const a of arps) {
      expect(a).toMatchObject({ event: 'arp', op: 1, opName: 'request', senderIp: '10.77.0.1', targetIp: '10.77.0.2', targetMac: '00:00:00:00:00:00', len: 28 });
    }
    expect(tun.errLines.find((l) => l.startsWith('tun: '))).toBe('tun: 3 frames from the kernel, 0 to it, 0 retransmits, 0 socat restarts, 0 dropped');
    const info = await run('tshark', ['-r', pcap, '-T', 'fields', '-e', 'frame.protocols', '-e', 'arp.dst.proto_ipv4', '-e', '_ws.malformed'], 60_000);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout.split('\n').filter(Boolean)).toEqual(new Array(3).fill('eth:ethertype:arp\t10.77.0.2\t'));
    // The kernel's retries (mcast_solicit 3, retrans_time 1 s), from the capture's timestamps.
    const times = [...readCapture(readFileSync(pcap))].map((r) => recordTime(r)!);
    for (let i = 1; i < 3; i++) expect(times[i] - times[i - 1]).toBeGreaterThan(0.8);
    for (let i = 1; i < 3; i++) expect(times[i] - times[i - 1]).toBeLessThan(1.6);
    const human = await run(process.execPath, [CLI, 'decode', pcap]);
    expect(human.stdout.trim().split('\n').map((l) => l.replace(/^\S+ /, ''))).toEqual(new Array(3).fill('ARP, Request who-has 10.77.0.2 tell 10.77.0.1, length 28'));
    await until(async () => (await ns.links()).join() === 'lo', 5000, 'wtap0 removed');
    await ns.destroy();
  });

  it('SIGTERM and SIGKILL leave no TAP device and no process', async () => {
    const ns = await Netns.create();
    const a = await ns.tun(['--tap', '--dev', 'wtap1', 'dump']);
    expect(await ns.links()).toContain('wtap1');
    expect(await stop(a, 'SIGTERM', 10_000)).toBe(143);
    await expectNothingLeft(ns);
    const b = await ns.tun(['--tap', '--dev', 'wtap2', 'dump']);
    expect(await stop(b, 'SIGKILL', 5000)).toBe(137);
    await untilCleanedUp(ns, 'wtap2');
    await ns.destroy();
  });

  it('says clearly when the TAP device name is taken', async () => {
    const ns = await Netns.create();
    const taken = await ns.exec(process.execPath, [CLI, 'tun', '--tap', '--dev', 'lo', 'dump']);
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe("wasm-tcp tun: network device 'lo' already exists; pick another --dev");
    await ns.destroy();
  });
});
