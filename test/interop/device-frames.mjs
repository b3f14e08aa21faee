// Runs inside a test namespace: opens a device through the packaged `wasm-tcp/tun` (dist/tun.js) and
// talks to the kernel with frames built here, no stack involved. One JSON line per result on stdout.
//   node device-frames.mjs tap-arp-ping DEV      ARP for the kernel, then 3 pings over TAP
//   node device-frames.mjs tun-ping DEV          3 pings over TUN
//   node device-frames.mjs tap-queue DEV N Q     N pings while nobody reads, queue Q: the rest is dropped
//   node device-frames.mjs tap-hold DEV MAC      open a TAP with MAC, print ready, hold until SIGTERM
import { openTap, openTun } from '../../dist/tun.js';

const [mode, dev, ...rest] = process.argv.slice(2);
const KERNEL = [10, 78, 0, 1];
const US = [10, 78, 0, 2];
const OUR_MAC = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x02];
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');

function checksum(b, from, to) {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] << 8) | (i + 1 < to ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** An ARP request (RFC 826) from us for `target`, broadcast. */
function arpRequest(target) {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6);
  f.set(OUR_MAC, 6);
  f.set([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1], 12);
  f.set(OUR_MAC, 22);
  f.set(US, 28);
  f.set(target, 38);
  return f;
}

/** An IPv4 ICMP echo request from us to the kernel. */
function echoRequest(id, seq, payload = 56) {
  const ip = new Uint8Array(20 + 8 + payload);
  const len = ip.length;
  ip.set([0x45, 0, len >> 8, len & 255, 0, seq, 0x40, 0, 64, 1, 0, 0], 0);
  ip.set(US, 12);
  ip.set(KERNEL, 16);
  const c = checksum(ip, 0, 20);
  ip[10] = c >> 8; ip[11] = c & 255;
  ip.set([8, 0, 0, 0, id >> 8, id & 255, seq >> 8, seq & 255], 20);
  for (let i = 0; i < payload; i++) ip[28 + i] = i;
  const ic = checksum(ip, 20, len);
  ip[22] = ic >> 8; ip[23] = ic & 255;
  return ip;
}

function ether(dst, ip) {
  const f = new Uint8Array(14 + ip.length);
  f.set(dst, 0);
  f.set(OUR_MAC, 6);
  f.set([0x08, 0x00], 12);
  f.set(ip, 14);
  return f;
}

/** What an IPv4 packet is, when it is an ICMP echo reply to us: {id, seq, ok}. */
function echoReply(ip) {
  if (ip.length < 28 || ip[0] !== 0x45 || ip[9] !== 1 || ip[20] !== 0) return undefined;
  if (ip.subarray(16, 20).join('.') !== US.join('.')) return undefined;
  return { id: (ip[24] << 8) | ip[25], seq: (ip[26] << 8) | ip[27], ok: checksum(ip, 0, 20) === 0 && checksum(ip, 20, ip.length) === 0 };
}

const opts = { dev, kernelAddr: '10.78.0.1/24', addr: '10.78.0.2' };

if (mode === 'tap-arp-ping') {
  const tap = await openTap({ ...opts, mac: hex(OUR_MAC) });
  print({ event: 'open', kind: tap.kind, dev: tap.dev, mac: tap.mac, kernelMac: tap.kernelMac, addr: tap.addr, kernelAddr: tap.kernelAddr, mtu: tap.mtu });
  const w = tap.writable.getWriter();
  await w.write(arpRequest(KERNEL));
  let kernelMac;
  let replies = 0;
  for await (const f of tap) {
    const type = (f[12] << 8) | f[13];
    if (type === 0x0806 && f[21] === 2) {
      // ARP reply: sender is the kernel, target is us.
      kernelMac = f.subarray(22, 28);
      print({ event: 'arp-reply', dst: hex(f.subarray(0, 6)), senderMac: hex(kernelMac), senderIp: f.subarray(28, 32).join('.'), targetMac: hex(f.subarray(32, 38)), targetIp: f.subarray(38, 42).join('.') });
      for (let seq = 1; seq <= 3; seq++) await w.write(ether(kernelMac, echoRequest(0x77, seq)));
    } else if (type === 0x0800) {
      const r = echoReply(f.subarray(14));
      if (!r) continue;
      print({ event: 'echo-reply', dst: hex(f.subarray(0, 6)), src: hex(f.subarray(6, 12)), ...r });
      if (++replies === 3) break;
    }
  }
  await tap.close();
  print({ event: 'closed', stats: tap.stats });
} else if (mode === 'tun-ping') {
  const tun = await openTun(opts);
  print({ event: 'open', kind: tun.kind, dev: tun.dev, mac: tun.mac ?? null, addr: tun.addr });
  const w = tun.writable.getWriter();
  for (let seq = 1; seq <= 3; seq++) await w.write(echoRequest(0x55, seq));
  let replies = 0;
  for await (const p of tun) {
    const r = echoReply(p);
    if (!r) continue;
    print({ event: 'echo-reply', ...r });
    if (++replies === 3) break;
  }
  await tun.close();
  print({ event: 'closed', stats: tun.stats });
} else if (mode === 'tap-queue') {
  const n = Number(rest[0]);
  const queue = Number(rest[1]);
  const tap = await openTap({ ...opts, mac: hex(OUR_MAC), queue });
  const w = tap.writable.getWriter();
  // The kernel learns our MAC from our ARP request, so its echo replies need no resolution of their own.
  await w.write(arpRequest(KERNEL));
  const reader = tap.readable.getReader();
  let kernelMac;
  while (!kernelMac) {
    const { value: f } = await reader.read();
    if (((f[12] << 8) | f[13]) === 0x0806 && f[21] === 2) kernelMac = f.slice(22, 28);
  }
  for (let seq = 1; seq <= n; seq++) await w.write(ether(kernelMac, echoRequest(0x99, seq)));
  // Nobody reads for a while: the replies pile up in the queue, and what does not fit is dropped.
  const deadline = Date.now() + 3000;
  while (tap.stats.rxQueueDropped + queue < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  let queued = 0;
  await tap.close();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (echoReply(value.subarray(14))) queued++;
  }
  print({ event: 'queue', queued, dropped: tap.stats.rxQueueDropped, rx: tap.stats.rxPackets, tx: tap.stats.txPackets });
} else if (mode === 'tap-hold') {
  const tap = await openTap({ ...opts, mac: rest[0] });
  print({ event: 'ready', mac: tap.mac });
  process.on('SIGTERM', async () => { await tap.close(); print({ event: 'closed' }); });
  void tap.readable.pipeTo(new WritableStream());
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
