// TUN benchmark: bulk TCP kernel -> our stack and our stack -> kernel through the bridge, the bridge's
// own packets/s limit in both directions, and kernel -> kernel TCP over loopback as the reference, all
// in one run.
// Needs root, /dev/net/tun, socat, python3 and a build (dist/cli.js). Run: `npm run bench:tun [-- --quick] [-- --json]`.
import { CLI, Netns, missingPrerequisite, type Proc } from '../test/interop/netns.js';
import { parseCidr } from '../src/tun/addr.js';
import { TunBridge } from '../src/tun/bridge.js';
import { inetChecksum } from '../src/util/checksum.js';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const BYTES = (quick ? 20 : 100) << 20;
const ROUNDS = quick ? 1 : 3;
const FLOOD = quick ? 100_000 : 300_000;

interface Row { what: string; value: number; unit: string; note?: string }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** ms between the first `from` line of one process and the first `to` line of another. */
async function span(a: Proc, from: RegExp, b: Proc, to: RegExp, timeoutMs = 120_000): Promise<number> {
  await a.waitLine(from, timeoutMs);
  const t0 = performance.now();
  await b.waitLine(to, timeoutMs);
  return performance.now() - t0;
}

async function kernelToUs(): Promise<number> {
  const ns = await Netns.create();
  try {
    const tun = await ns.tun(['discard', '--port', '9']);
    const src = ns.peer(['source', '10.77.0.2', '9', String(BYTES)]);
    const ms = await span(src, /"connected"/, tun, /^discard .* eof$/);
    if (!tun.lines.some((l) => l.includes(` bytes ${BYTES} `))) throw new Error(`short transfer\n${tun.transcript()}`);
    return BYTES / (ms / 1000);
  } finally {
    await ns.destroy();
  }
}

async function usToKernel(): Promise<number> {
  const ns = await Netns.create();
  try {
    const sink = ns.peer(['sink', '0.0.0.0', '5001']);
    await sink.waitLine(/"listening"/);
    ns.spawn(process.execPath, [CLI, 'tun', 'send', '10.77.0.1:5001', '--bytes', String(BYTES)], 'tun send');
    const ms = await span(sink, /"accepted"/, sink, /"done"/);
    const done = await sink.waitJson(/"done"/);
    if (done.received !== BYTES) throw new Error(`short transfer: ${done.received}`);
    return BYTES / (ms / 1000);
  } finally {
    await ns.destroy();
  }
}

async function kernelLoopback(): Promise<number> {
  const ns = await Netns.create();
  try {
    const sink = ns.peer(['sink', '127.0.0.1', '5001']);
    await sink.waitLine(/"listening"/);
    ns.peer(['source', '127.0.0.1', '5001', String(BYTES)]);
    const ms = await span(sink, /"accepted"/, sink, /"done"/);
    return BYTES / (ms / 1000);
  } finally {
    await ns.destroy();
  }
}

/** Kernel floods UDP datagrams at our address; the bridge counts what reaches Node. */
async function bridgeRate(payload: number): Promise<{ pps: number; delivered: number; offered: number; senderPps: number }> {
  const ns = await Netns.create();
  try {
    const tun = await ns.tun(['dump', '--quiet']);
    const flood = ns.peer(['udp-flood', '10.77.0.2', '9', String(FLOOD), String(payload)]);
    const f = await flood.waitJson(/"done"/, 120_000);
    await new Promise((r) => setTimeout(r, 500)); // let the queues drain
    tun.kill('SIGTERM');
    const m = /^dump packets (\d+) bytes \d+ seconds ([\d.]+)$/.exec(await tun.waitLine(/^dump packets/, 10_000));
    const delivered = Number(m![1]);
    return { pps: delivered / Number(m![2]), delivered, offered: f.sent, senderPps: f.sent / f.seconds };
  } finally {
    await ns.destroy();
  }
}

/** Node floods UDP/IPv4 packets into the device through the bridge; a kernel UDP socket counts them. */
async function bridgeTxRate(ipLen: number): Promise<{ pps: number; received: number; offered: number; senderPps: number; copies: number }> {
  const ns = await Netns.create();
  try {
    const counter = ns.peer(['udp-count', '9001', '1']);
    await counter.waitLine(/"listening"/);
    // This very script, re-run inside the namespace in the flooding role (below).
    const tx = ns.spawn(process.execPath, [process.argv[1], '--tx-child', String(FLOOD), String(ipLen)], 'tx flood');
    const t = await tx.waitJson(/"done"/, 120_000);
    const c = await counter.waitJson(/"done"/, 30_000);
    return { pps: c.received / c.seconds, received: c.received, offered: t.sent, senderPps: t.sent / t.seconds, copies: t.copies };
  } finally {
    await ns.destroy();
  }
}

/**
 * The flooding role, run inside a namespace: opens the bridge (no stack) and sends `count` UDP packets
 * of `ipLen` bytes from 10.77.0.2:9000 to the kernel's 10.77.0.1:9001 as fast as Node can hand them
 * to the bridge, yielding to the event loop every 256 packets so the send ring drains.
 */
async function txChild(count: number, ipLen: number): Promise<number> {
  const bridge = await TunBridge.open({ dev: 'wtcp0', kernelAddr: parseCidr('10.77.0.1/24')!, addr: 0x0a4d0002, mtu: 1500 });
  const p = new Uint8Array(ipLen);
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x45); v.setUint16(2, ipLen); v.setUint8(8, 64); v.setUint8(9, 17);
  v.setUint32(12, 0x0a4d0002); v.setUint32(16, 0x0a4d0001);
  v.setUint16(10, inetChecksum(p, 0, 20));
  v.setUint16(20, 9000); v.setUint16(22, 9001); v.setUint16(24, ipLen - 20); // UDP checksum 0: none (RFC 768)
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    bridge.send(p);
    if ((i & 255) === 255) await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500)); // let socat drain before the device goes
  await bridge.close();
  console.log(JSON.stringify({ event: 'done', sent: count, seconds, copies: bridge.stats.txCopies }));
  return 0;
}

async function main(): Promise<number> {
  const missing = missingPrerequisite();
  if (missing) {
    console.error(`bench/tun: cannot run: ${missing}`);
    return 1;
  }
  const k2u: number[] = [];
  const u2k: number[] = [];
  const ref: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ref.push(await kernelLoopback());
    k2u.push(await kernelToUs());
    u2k.push(await usToKernel());
  }
  const small = await bridgeRate(64);
  const full = await bridgeRate(1472);
  const txSmall = await bridgeTxRate(92);
  const txFull = await bridgeTxRate(1500);
  const rows: Row[] = [
    { what: 'TCP kernel -> our stack through the bridge (MSS 1448 + TS)', value: median(k2u) / 1e6, unit: 'MB/s' },
    { what: 'TCP our stack -> kernel through the bridge', value: median(u2k) / 1e6, unit: 'MB/s' },
    { what: 'reference: TCP kernel -> kernel over loopback (same python peers)', value: median(ref) / 1e6, unit: 'MB/s' },
    { what: 'bridge, kernel -> Node, 92 B IP packets', value: small.pps, unit: 'packets/s', note: `${small.delivered}/${small.offered} delivered; sender ${Math.round(small.senderPps)}/s` },
    { what: 'bridge, kernel -> Node, 1500 B IP packets', value: full.pps, unit: 'packets/s', note: `${full.delivered}/${full.offered} delivered; sender ${Math.round(full.senderPps)}/s` },
    { what: 'bridge, Node -> kernel, 92 B IP packets', value: txSmall.pps, unit: 'packets/s', note: `${txSmall.received}/${txSmall.offered} delivered; Node sender ${Math.round(txSmall.senderPps)}/s, ${txSmall.copies} ring overflows` },
    { what: 'bridge, Node -> kernel, 1500 B IP packets', value: txFull.pps, unit: 'packets/s', note: `${txFull.received}/${txFull.offered} delivered; Node sender ${Math.round(txFull.senderPps)}/s, ${txFull.copies} ring overflows` },
  ];
  if (json) {
    console.log(JSON.stringify({ bytes: BYTES, rounds: ROUNDS, flood: FLOOD, node: process.version, rows }));
  } else {
    console.log(`${BYTES >> 20} MiB per transfer, median of ${ROUNDS}; ${FLOOD} UDP datagrams per flood; Node ${process.version}\n`);
    console.log('| measurement | value | note |\n|---|---:|---|');
    for (const r of rows) console.log(`| ${r.what} | ${r.unit === 'MB/s' ? r.value.toFixed(1) : Math.round(r.value)} ${r.unit} | ${r.note ?? ''} |`);
  }
  return 0;
}

const child = process.argv.indexOf('--tx-child');
(child >= 0 ? txChild(Number(process.argv[child + 1]), Number(process.argv[child + 2])) : main()).then((code) => process.exit(code), (err) => {
  console.error(`bench/tun: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
