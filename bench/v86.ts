// Throughput between our stack and a real Linux guest in v86 (issue 18 item 5): bulk guest → us (our
// client GETs the guest's /blob.bin from busybox httpd), bulk us → guest (the guest wgets a file from
// our server into /dev/null), ping-pong over the guest's echo (1-byte round trips), and for scale the
// guest alone: the same GET over its own loopback, which no frame of ours touches.
// Run: npm run bench:v86 [-- --card ne2k|virtio] [--runs N] [--json]. Needs `npm run guest`'s images.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { EngineConfig } from '../src/engine/abi.js';
import { bootGuest, guestImages, type Card } from '../test/support/v86-guest.js';
import { linkStack } from '../test/support/v86-stack.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const cards: Card[] = opt('card') ? [opt('card') as Card] : ['virtio', 'ne2k'];
const runs = Number(opt('runs') ?? 3);
const json = args.includes('--json');
const US = '10.0.2.2';
const OUT_BYTES = 4 << 20;
const PINGS = 200;

const images = await guestImages();
if (!('manifest' in images)) {
  console.error(`bench v86: the guest images cannot be built: ${images.unavailable}`);
  process.exit(1);
}
const manifest = images.manifest;
const mib = (bytes: number, ms: number) => bytes / 2 ** 20 / (ms / 1000);

/** Our receive buffer (and so the window we offer): the default, and 256 KiB with window scaling. */
/** And the adapter's pacing: 4 frames per turn into the card (the default), or 64. */
const CONFIGS: { name: string; config: Partial<EngineConfig>; burst: number; only?: Card }[] = [
  { name: 'rcvbuf 64 KiB', config: {}, burst: 4 },
  { name: 'rcvbuf 256 KiB', config: { recvBufferSize: 262144 }, burst: 4 },
  { name: 'rcvbuf 256 KiB, burst 64', config: { recvBufferSize: 262144 }, burst: 64, only: 'virtio' },
];

type Row = { card: Card; stack: string; run: number; guestToUsMiBs: number; usToGuestMiBs: number; pingPongUs: number; guestLoopbackMiBs: number; icmpRttMs: number };
const rows: Row[] = [];

for (const card of cards) {
  const guest = await bootGuest(manifest, { card, gateway: US });
  const body = new Uint8Array(OUT_BYTES).map((_, i) => (i * 31 + 7) & 0xff);
  try {
    for (let run = 1; run <= runs; run++) for (const [k, cfg] of CONFIGS.entries()) {
      if (cfg.only && cfg.only !== card) continue; // ne2k's ring takes no burst of 64 (docs/v86.md)
      const link = await linkStack(guest.emulator, `${US}/24`, cfg.config, 100 * run + k, { burst: cfg.burst });
      // A stage that stalls: say where, with the counters, and stop (a bench never hangs silently).
      let stage = 'connect';
      const watchdog = setInterval(() => {
        if (performance.now() - stageAt < 180_000) return;
        const stats = Object.entries(link.stack.engine.stats as unknown as Record<string, number>).filter(([, v]) => v);
        console.error(`bench v86: ${card} ${cfg.name} run ${run}: '${stage}' stalled for 180 s; engine ${JSON.stringify(Object.fromEntries(stats))}; tap ${JSON.stringify(link.tap.stats)}`);
        writeFileSync('build/bench-v86-stall.pcap', link.pcap());
        process.exit(1);
      }, 5000);
      let stageAt = performance.now();
      const at = (name: string) => ((stage = name), (stageAt = performance.now()));
      const listener = await link.stack.listenTcp({ port: 8080 });
      const it = listener[Symbol.asyncIterator]();
      // Guest → us: GET /blob.bin, checked.
      at('guest → us');
      let t0 = performance.now();
      const c = await link.stack.connectTcp({ host: guest.ip, port: manifest.ports.http });
      const w = c.writable.getWriter();
      await w.write(new TextEncoder().encode(`GET ${manifest.blob.path} HTTP/1.0\r\n\r\n`));
      const h = createHash('sha256');
      let got = Buffer.alloc(0);
      let head = true;
      for await (const chunk of c.readable) {
        if (head) {
          got = Buffer.concat([got, chunk]);
          const end = got.indexOf('\r\n\r\n');
          if (end < 0) continue;
          head = false;
          h.update(got.subarray(end + 4));
        } else h.update(chunk);
      }
      const inMs = performance.now() - t0;
      if (h.digest('hex') !== manifest.blob.sha256) throw new Error('bench v86: /blob.bin arrived corrupted');

      at('us → guest');
      // Us → guest: the guest's wget from our server, timed on our side from accept to its FIN.
      const wget = guest.sh(`wget -q -O /dev/null http://${US}:8080/out.bin`, 300_000);
      const s = (await it.next()).value!;
      t0 = performance.now();
      const r = s.readable.getReader();
      await r.read(); // the request
      const sw = s.writable.getWriter();
      await sw.write(new TextEncoder().encode(`HTTP/1.0 200 OK\r\nContent-Length: ${OUT_BYTES}\r\n\r\n`));
      for (let off = 0; off < OUT_BYTES; off += 65536) await sw.write(body.subarray(off, off + 65536));
      await sw.close();
      while (!(await r.read()).done);
      const outMs = performance.now() - t0;
      await wget;

      at('ping-pong');
      // Ping-pong: 1-byte round trips through the guest's echo.
      const e = await link.stack.connectTcp({ host: guest.ip, port: manifest.ports.echo });
      const ew = e.writable.getWriter();
      const er = e.readable.getReader();
      const one = new Uint8Array([0x2a]);
      await ew.write(one);
      await er.read(); // warm-up
      t0 = performance.now();
      for (let i = 0; i < PINGS; i++) {
        await ew.write(one);
        await er.read();
      }
      const ppUs = ((performance.now() - t0) * 1000) / PINGS;
      await ew.close();
      while (!(await er.read()).done);

      at('guest loopback');
      // The guest alone: the same file over its loopback; and its ICMP RTT to us.
      t0 = performance.now();
      await guest.sh(`wget -q -O /dev/null http://127.0.0.1${manifest.blob.path}`, 300_000);
      const loMs = performance.now() - t0;
      const ping = await guest.sh(`ping -c 10 -i 0.2 ${US}`, 60_000);
      const rtt = Number(/= [\d.]+\/([\d.]+)\//.exec(ping)?.[1] ?? NaN);
      clearInterval(watchdog);
      await listener.close();
      await link.close();
      const row = { card, stack: cfg.name, run, guestToUsMiBs: mib(manifest.blob.size, inMs), usToGuestMiBs: mib(OUT_BYTES, outMs), pingPongUs: ppUs, guestLoopbackMiBs: mib(manifest.blob.size, loMs), icmpRttMs: rtt };
      rows.push(row);
      if (!json) {
        console.log(`${card} ${cfg.name} run ${run}: guest→us ${row.guestToUsMiBs.toFixed(3)} MiB/s, us→guest ${row.usToGuestMiBs.toFixed(3)} MiB/s, ` +
          `ping-pong ${(ppUs / 1000).toFixed(2)} ms/round trip, guest loopback ${row.guestLoopbackMiBs.toFixed(3)} MiB/s, ICMP RTT ${rtt} ms`);
      }
    }
  } finally {
    await guest.destroy();
  }
}
if (json) console.log(JSON.stringify(rows, null, 2));
process.exit(0);
