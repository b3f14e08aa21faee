// Our stack ↔ a real Linux guest in v86, end to end (issue 18 item 3): one Stack on the real clock
// with a TAP interface at the guest's gateway, attached to the guest's virtio card. Ping both ways,
// our client GETs the guest's file from busybox httpd, 1 MB through its echo, the guest wgets a file
// from our server, /proc/net/tcp during a transfer, the capture in tshark, and the failure cases a VM
// can show: a closed port, a killed server, the guest powered off, the guest rebooted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/browser.js';
import type { TcpConnection } from '../../src/streams/connection.js';
import { sha256Hex } from '../../src/util/sha256.js';
import { echoFrame, parseEcho } from '../support/ethernet.js';
import { bootGuest, type Guest } from '../support/v86-guest.js';
import { linkStack, STACK_MAC, type GuestLink } from '../support/v86-stack.js';
import { acceptOne, drain, source } from '../streams/cases.js';
import { imagesOrSkip } from './cases.js';

const manifest = await imagesOrSkip();
const CARD = 'virtio';
const US = '10.0.2.2';

/** Reads a whole HTTP/1.0 response: status line, headers, body. */
async function httpGet(c: TcpConnection, path: string): Promise<{ status: string; headers: string; body: Uint8Array }> {
  const w = c.writable.getWriter();
  await w.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\nHost: guest\r\n\r\n`));
  w.releaseLock();
  const parts: Uint8Array[] = [];
  for await (const chunk of c.readable) parts.push(chunk);
  const all = Buffer.concat(parts);
  const end = all.indexOf('\r\n\r\n');
  const head = all.subarray(0, end).toString('latin1');
  return { status: head.split('\r\n')[0], headers: head, body: new Uint8Array(all.subarray(end + 4)) };
}

/** 10.0.2.15:7 as /proc/net/tcp writes it on little-endian x86 ('0F02000A:0007'). */
function procAddr(ip: string, port: number): string {
  const hex = ip.split('.').reverse().map((b) => Number(b).toString(16).padStart(2, '0')).join('').toUpperCase();
  return `${hex}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
}

/** A server of ours on `port` answering every GET with `body` (HTTP/1.0, then close). */
async function serveOnce(link: GuestLink, port: number, body: Uint8Array): Promise<{ served: Promise<string> ; close(): Promise<void> }> {
  const listener = await link.stack.listenTcp({ port });
  const served = (async () => {
    const conn = await acceptOne(listener);
    const reader = conn.readable.getReader();
    let req = '';
    while (!req.includes('\r\n\r\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      req += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    const w = conn.writable.getWriter();
    await w.write(new TextEncoder().encode(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\nContent-Type: application/octet-stream\r\n\r\n`));
    for (let off = 0; off < body.length; off += 65536) await w.write(body.subarray(off, off + 65536));
    await w.close();
    return req.split('\r\n')[0];
  })();
  return { served, close: () => listener.close() };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe.skipIf(!manifest)(`our stack ↔ a Linux guest on v86's ${CARD} card`, () => {
  let guest: Guest;
  let link: GuestLink;

  beforeAll(async () => {
    guest = await bootGuest(manifest!, { card: CARD, gateway: US });
    console.log(`v86 ${CARD} (stack): ${guest.restored ? 'restored' : 'booted'} in ${(guest.startMs / 1000).toFixed(2)} s`);
    // Short data retries and a low RTO ceiling so the powered-off case ends in a few seconds; a 256 KiB
    // receive window because the guest's sends are window-bound at the emulator's round trips (bench/RESULTS.md).
    // virtio takes bursts of 64 frames per turn: 2–4× faster bulk than the default 4 (bench/RESULTS.md).
    link = await linkStack(guest.emulator, `${US}/24`, { dataRetries: 4, rtoMaxMs: 1000, recvBufferSize: 262144 }, 7, { burst: 64 });
  }, 240_000);

  afterAll(async () => {
    await link?.close();
    await guest?.destroy();
  });

  it('the guest pings us: it resolves our MAC by ARP, our engine answers its echo requests', async () => {
    const before = link.stack.engine.stats.icmpEchoReplies;
    const out = await guest.sh(`ping -c 3 -W 5 ${US}`, 30_000);
    expect(out).toMatch(/3 packets transmitted, 3 packets received, 0% packet loss/);
    expect(link.stack.engine.stats.icmpEchoReplies - before).toBe(3);
    expect(await guest.sh(`ip neigh show ${US}`)).toContain(STACK_MAC);
  }, 60_000);

  it('we ping the guest from our address: its echo replies come back to our MAC', async () => {
    const data = Uint8Array.from({ length: 56 }, (_, i) => i);
    for (const seq of [1, 2, 3]) {
      const from = link.fromGuest.length;
      await link.inject(echoFrame(guest.mac, STACK_MAC, { type: 'request', src: US, dst: guest.ip, id: 0x4242, seq, data }));
      const deadline = Date.now() + 10_000;
      let reply;
      while (!reply && Date.now() < deadline) {
        reply = link.fromGuest.slice(from).map(parseEcho).find((e) => e?.type === 'reply' && e.seq === seq);
        if (!reply) await new Promise((r) => setTimeout(r, 20));
      }
      expect(reply).toMatchObject({ src: guest.ip, dst: US, id: 0x4242, seq, data });
    }
    // The stack learnt the guest's MAC from the guest's ARP (or ours): the one neighbour.
    expect(link.stack.neighbours().map((n) => [n.address, n.mac])).toEqual([[guest.ip, guest.mac]]);
  }, 60_000);

  it(`our client GETs /blob.bin (${manifest?.blob.size} bytes) from busybox httpd: sha256 equal`, async () => {
    const t0 = performance.now();
    const c = await link.stack.connectTcp({ host: guest.ip, port: manifest!.ports.http });
    const r = await httpGet(c, manifest!.blob.path);
    const s = (performance.now() - t0) / 1000;
    console.log(`v86 ${CARD}: GET ${manifest!.blob.path} ${r.body.length} B in ${s.toFixed(2)} s (${(r.body.length / s / 2 ** 20).toFixed(2)} MiB/s)`);
    expect(r.status).toMatch(/^HTTP\/1\.[01] 200 OK$/);
    expect(r.body.length).toBe(manifest!.blob.size);
    expect(sha256Hex(r.body)).toBe(manifest!.blob.sha256);
  }, 120_000);

  it('1 MB through the guest\'s echo (sha256 equal); /proc/net/tcp shows the connection ESTABLISHED meanwhile', async () => {
    const c = await link.stack.connectTcp({ host: guest.ip, port: manifest!.ports.echo });
    const row = `${procAddr(guest.ip, manifest!.ports.echo)} ${procAddr(US, c.localPort)} 01`;
    expect(await guest.sh('cat /proc/net/tcp')).toContain(row);
    const src = source(lib, 1_000_000, 18);
    const t0 = performance.now();
    const [[n, hash]] = await Promise.all([drain(lib, c.readable), src.stream.pipeTo(c.writable)]);
    console.log(`v86 ${CARD}: 1 MB echo in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    expect(n).toBe(1_000_000);
    expect(hash).toBe(src.hash);
  }, 120_000);

  it('the guest wgets a file from our server: sha256 equal', async () => {
    const body = new Uint8Array(1 << 20);
    for (let i = 0, x = 99; i < body.length; i++) body[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const server = await serveOnce(link, 8080, body);
    try {
      const out = await guest.sh(`wget -q -O - http://${US}:8080/file.bin | sha256sum`, 90_000);
      expect(out.trim().split(/\s+/)[0]).toBe(sha256Hex(body));
      expect(await server.served).toBe('GET /file.bin HTTP/1.1');
    } finally {
      await server.close();
    }
  }, 120_000);

  it('a closed guest port answers our SYN with RST: ECONNREFUSED', async () => {
    expect(await codeOf(link.stack.connectTcp({ host: guest.ip, port: 81 }))).toBe('ECONNREFUSED');
  }, 30_000);

  it('the guest\'s server killed: its FIN ends our readable (an orderly close), we close too', async () => {
    const c = await link.stack.connectTcp({ host: guest.ip, port: manifest!.ports.echo });
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode('ping\n'));
    const reader = c.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('ping\n');
    // `nc -ll -e cat` runs one cat per connection, and ours is the only one open.
    expect((await guest.sh('pidof cat')).trim().split(/\s+/)).toHaveLength(1);
    await guest.sh('kill $(pidof cat)');
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await w.close();
    expect(await guest.sh('cat /proc/net/tcp')).not.toContain(`${procAddr(US, c.localPort)} 01`);
  }, 60_000);

  it('the guest powered off mid-transfer: our retransmissions, then ETIMEDOUT (dataRetries 4, rtoMaxMs 1000)', async () => {
    const c = await link.stack.connectTcp({ host: guest.ip, port: manifest!.ports.echo });
    const rx = drain(lib, c.readable);
    const w = c.writable.getWriter();
    await w.write(new Uint8Array(64 * 1024).fill(1));
    await guest.emulator.stop();
    const retx = link.stack.engine.stats.retransmits;
    const t0 = performance.now();
    const writing = (async () => {
      for (;;) await w.write(new Uint8Array(16 * 1024).fill(2));
    })();
    expect(await codeOf(rx)).toBe('ETIMEDOUT');
    expect(await codeOf(writing)).toBe('ETIMEDOUT');
    const s = (performance.now() - t0) / 1000;
    console.log(`v86 ${CARD}: powered off: ETIMEDOUT after ${s.toFixed(1)} s, ${link.stack.engine.stats.retransmits - retx} retransmissions`);
    expect(link.stack.engine.stats.retransmits - retx).toBeGreaterThanOrEqual(4);
    await guest.destroy();
  }, 120_000);

  it('the guest rebooted under a connection (a fresh kernel restored in its place): its RST gives ECONNRESET', async () => {
    guest = await bootGuest(manifest!, { card: CARD, gateway: US });
    await link.attach(guest.emulator);
    const c = await link.stack.connectTcp({ host: guest.ip, port: manifest!.ports.echo });
    const reader = c.readable.getReader();
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode('before\n'));
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('before\n');
    // The new kernel knows nothing of the connection.
    const old = guest;
    guest = await bootGuest(manifest!, { card: CARD, gateway: US });
    await old.destroy();
    await link.attach(guest.emulator);
    await w.write(new TextEncoder().encode('after\n')).catch(() => {});
    expect(await codeOf(reader.read())).toBe('ECONNRESET');
  }, 120_000);

  it('the capture of the whole run opens clean in tshark: no malformed frame, good checksums', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-v86-'));
    try {
      const file = join(dir, 'v86.pcap');
      writeFileSync(file, link.pcap());
      const out = execFileSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields',
        '-e', 'frame.protocols', '-e', '_ws.malformed', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status',
        '-e', 'frame.number', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.len', '-e', 'tcp.flags.str'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
      const rows = out.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
      expect(rows.length).toBeGreaterThan(1000);
      expect(rows.filter((r) => r[1] !== '')).toEqual([]);
      const tcp = rows.filter((r) => r[0].startsWith('eth:ethertype:ip:tcp'));
      expect(tcp.length).toBeGreaterThan(1000);
      // A bad one shows its frame number, source, port, raw sequence number, length and flags.
      const bad = tcp.filter((r) => r[2] !== '1' || r[3] !== '1');
      // Every frame our stack sent has good checksums.
      expect(bad.filter((r) => r[5] === US)).toEqual([]);
      // The guest's come out of an emulated card that this run stops and restores mid-transfer: one
      // frame in a full CI run (of ~10 000) had a bad TCP checksum. Our engine drops such a frame (its
      // checksum check) and the guest resends it; more than one in a thousand would be a fault.
      expect(bad.length, JSON.stringify(bad)).toBeLessThanOrEqual(Math.floor(tcp.length / 1000));
      expect(rows.some((r) => r[0] === 'eth:ethertype:arp')).toBe(true);
      expect(rows.some((r) => r[0] === 'eth:ethertype:ip:icmp:data')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
