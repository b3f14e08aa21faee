// SYN flood generator and rate: spoofed SYNs (random sources in 10.200.0.0/16, ports, ISNs, Linux's
// SYN options) written as packet records, a batch at a time, so a flood goes through an engine's rx
// area without an object per packet. `npm run bench:synflood` measures SYNs per second of wall time
// into a listener whose SYN queue is full (each answered with a SYN cookie), through the engine alone
// and through a Stack on a SimNetwork (the SYN-ACKs go to the network and are dropped there).
import { VirtualClock } from '../src/clock/virtual.js';
import { Engine } from '../src/engine/engine.js';
import { RECORD_HEADER } from '../src/engine/abi.js';
import { recordBatch, recordBytes, type RecordBatch } from '../src/engine/records.js';
import { SimNetwork } from '../src/link/sim.js';
import { Stack } from '../src/stack.js';
import { Prng } from '../src/util/prng.js';
import { fixChecksums, put16, put32, writeTcpPacket } from '../src/fuzz/packet.js';

/** Linux's SYN options: mss 1460, sackOK, TS (val, ecr 0), nop, wscale 7. */
const SYN_OPTIONS = Uint8Array.from([2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7]);
const SYN_LEN = 60;

/** Spoofed SYNs to `dst`:`dport`, `perBatch` records at a time. */
export class SynFlood {
  private readonly u8: Uint8Array;
  private readonly batch: RecordBatch;
  private readonly prng: Prng;
  /** SYNs generated so far. */
  sent = 0;

  constructor(private readonly dst: number, private readonly dport: number, readonly perBatch = 900, seed = 1) {
    this.u8 = new Uint8Array(perBatch * recordBytes(SYN_LEN));
    this.batch = recordBatch(this.u8);
    this.prng = new Prng(seed);
    const rec = recordBytes(SYN_LEN);
    for (let i = 0; i < perBatch; i++) {
      const p = i * rec;
      this.u8[p] = SYN_LEN; // [u32 length][u32 meta = 0]
      writeTcpPacket(this.u8, p + RECORD_HEADER, { src: 0, dst, sport: 1, dport, seq: 0, ack: 0, flags: 2, win: 64240, options: SYN_OPTIONS });
    }
  }

  /** The next batch: new sources, ports, ISNs and TSvals, checksums fixed. Valid until the next call. */
  next(): RecordBatch {
    const { u8, prng } = this;
    const rec = recordBytes(SYN_LEN);
    for (let i = 0; i < this.perBatch; i++) {
      const p = i * rec + RECORD_HEADER;
      const r = prng.u32();
      put32(u8, p + 12, (0x0ac80000 | (r & 0xffff)) >>> 0); // 10.200.x.y
      put16(u8, p + 20, 1024 + (r >>> 16) % 64000);
      put32(u8, p + 24, prng.u32());
      put32(u8, p + 48, prng.u32()); // TSval
      fixChecksums(u8, p, SYN_LEN);
    }
    this.sent += this.perBatch;
    const b = this.batch;
    b.start = 0;
    b.end = this.perBatch * rec;
    b.count = this.perBatch;
    return b;
  }
}

/** SYNs per second of wall time (generation included) into a raw engine listening on port 80. */
export function engineRate(total: number): number {
  const e = Engine.create({ addr: 0x0a000002, seed: 1 });
  e.listen(80);
  const flood = new SynFlood(0x0a000002, 80);
  const t0 = performance.now();
  let now = 0;
  while (flood.sent < total) {
    e.inputRecords(flood.next(), now);
    e.drainTxRecords(() => {});
    now += 1;
  }
  if (e.stats.synCookiesSent < total * 0.99) throw new Error('bench: the flood was not answered with cookies');
  return total / ((performance.now() - t0) / 1000);
}

/** SYNs per second of wall time into a Stack on a SimNetwork (the SYN-ACKs are dropped by the network). */
export function stackRate(total: number): number {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, delay: 5 });
  const server = new Stack({ address: '10.0.0.2', clock, link: net, recordTransitions: false });
  server.listen(80);
  const flood = new SynFlood(server.addr, 80);
  const t0 = performance.now();
  while (flood.sent < total) {
    server.receiveRecords(flood.next());
    clock.runFor(1);
  }
  if (server.engine.stats.synCookiesSent < total * 0.99) throw new Error('bench: the flood was not answered with cookies');
  return total / ((performance.now() - t0) / 1000);
}

// Run directly (npm run bench:synflood): medians of 5.
if (process.argv[1]?.endsWith('bench-synflood.mjs')) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const median = (f: () => number) => {
    const r = Array.from({ length: 5 }, f).sort((a, b) => a - b);
    return r[2];
  };
  const fmt = (x: number) => `${Math.round(x / 1000)}k SYN/s`;
  console.log(`${n} spoofed SYNs, median of 5: engine ${fmt(median(() => engineRate(n)))}, Stack + SimNetwork ${fmt(median(() => stackRate(n)))}`);
}
