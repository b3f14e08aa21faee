// SYN flood (issue 13 item 3): 1 000 000 spoofed SYNs against a listener over 10 virtual seconds,
// batched through the rx area. An established connection to the flooded port keeps its data bit-exact
// and its throughput; twelve legitimate clients connect to the flooded port within a few seconds (SYN
// cookies), another port and the server's own outbound connects keep working, memory never grows.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual.js';
import { SimNetwork } from '../../src/link/sim.js';
import type { Socket } from '../../src/socket.js';
import { Stack } from '../../src/stack.js';
import { Prng } from '../../src/util/prng.js';
import { SynFlood } from '../../bench/synflood.js';

/** Streams `bytes` of a seeded pattern into `sock` and ends it. */
function stream(sock: Socket, bytes: number, seed: number): void {
  const prng = new Prng(seed);
  let left = bytes;
  const more = () => {
    while (left > 0) {
      const c = new Uint8Array(Math.min(65536, left));
      prng.fill(c);
      left -= c.length;
      if (!sock.write(c)) return;
    }
    sock.end();
  };
  sock.on('drain', more);
  more();
}

/** Checks what `sock` receives against the pattern of `seed`; `done` is the virtual time the stream ended. */
function verify(sock: Socket, seed: number, clock: VirtualClock): { bytes: number; bad: number; done: number } {
  const prng = new Prng(seed);
  const r = { bytes: 0, bad: 0, done: NaN };
  sock.on('data', (d: Uint8Array) => {
    const want = new Uint8Array(d.length);
    prng.fill(want);
    for (let i = 0; i < d.length; i++) if (d[i] !== want[i]) r.bad++;
    r.bytes += d.length;
  });
  sock.on('end', () => { r.done = clock.now(); });
  return r;
}

const UP = 64_000_000, DOWN = 16_000_000;
/** The flood lasts about as long as the upload (~10 virtual seconds). */
const FLOOD_MS = 10_000;

/** One run: the bulk connection, and with `flood` the SYN flood and the other clients. */
function run(flood: boolean) {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, delay: 5 });
  const server = new Stack({ address: '10.0.0.2', clock, link: net, recordTransitions: false });
  const client = new Stack({ address: '10.0.0.1', clock, link: net, seed: 3, recordTransitions: false });
  const mem0 = server.engine.memory.buffer.byteLength;
  let up: ReturnType<typeof verify> | undefined;
  const accepted: Socket[] = [];
  server.listen(80, { allowHalfOpen: true }, (s) => {
    accepted.push(s);
    if (accepted.length === 1) { up = verify(s, 1, clock); stream(s, DOWN, 2); }
    else s.on('data', (d: Uint8Array) => s.end(d)); // the legitimate clients' echo
  });
  let otherPort = false;
  server.listen(81, {}, (s) => s.on('data', () => { otherPort = true; s.end(); }));
  let outbound = 0;
  client.listen(9000, {}, (s) => { s.on('data', () => s.end()); });
  const bulk = client.connect({ host: '10.0.0.2', port: 80, allowHalfOpen: true });
  const down = verify(bulk, 2, clock);
  bulk.on('connect', () => stream(bulk, UP, 1));
  clock.runFor(100);
  const t0 = clock.now();
  const legit: { start: number; connected: number; echoed: number }[] = [];
  if (flood) {
    const f = new SynFlood(server.addr, 80, 900);
    const batches = Math.ceil(1_000_000 / f.perBatch);
    const every = FLOOD_MS / batches;
    const others = Array.from({ length: 12 }, (_, i) => new Stack({ address: `10.0.0.${3 + i}`, clock, link: net, seed: 10 + i, recordTransitions: false }));
    for (let b = 0; b < batches; b++) {
      const t = t0 + b * every;
      clock.runUntil(t);
      server.receiveRecords(f.next());
      expect(server.engine.memory.buffer.byteLength).toBe(mem0);
      // Every 0.75 s another legitimate client connects to the flooded port and exchanges a message.
      const k = Math.floor((t - t0 - 500) / 750);
      if (k >= 0 && k < others.length && legit.length === k) {
        const r = { start: clock.now(), connected: NaN, echoed: NaN };
        legit.push(r);
        const s = others[k].connect({ host: '10.0.0.2', port: 80 });
        s.on('connect', () => { r.connected = clock.now(); s.write('hello'); });
        s.on('data', () => { r.echoed = clock.now(); });
        s.on('error', () => {});
      }
      // Twice a second the server opens a connection of its own; once the client connects to the other port.
      if (b % Math.round(500 / every) === 0 && b > 0) {
        const s = server.connect({ host: '10.0.0.1', port: 9000 });
        s.on('connect', () => { outbound++; s.write('x'); });
        s.on('error', () => {});
      }
      if (b === Math.round(FLOOD_MS / 2 / every)) {
        const s = client.connect({ host: '10.0.0.2', port: 81 });
        s.on('connect', () => s.write('y'));
        s.on('error', () => {});
      }
    }
    expect(f.sent).toBeGreaterThanOrEqual(1_000_000);
  }
  clock.runUntil(() => !Number.isNaN(up?.done ?? NaN) && !Number.isNaN(down.done), { timeout: 120_000 });
  clock.runFor(5000);
  return { server, up: up!, down, legit, otherPort, outbound, t0, mem0 };
}

describe('1 000 000 spoofed SYNs against a listener', () => {
  it('established data stays bit-exact at its throughput; legitimate clients, another port and outbound connects all work; memory never grows', () => {
    const calm = run(false);
    const r = run(true);
    expect(calm.up.done - calm.t0).toBeGreaterThan(FLOOD_MS * 0.8); // the upload spans the flood
    for (const x of [calm, r]) {
      expect(x.up.bytes).toBe(UP);
      expect(x.up.bad).toBe(0);
      expect(x.down.bytes).toBe(DOWN);
      expect(x.down.bad).toBe(0);
    }
    // Throughput of the established connection: the flood costs it no virtual time.
    expect(r.up.done - r.t0).toBeLessThanOrEqual((calm.up.done - calm.t0) * 1.02);
    expect(r.down.done - r.t0).toBeLessThanOrEqual((calm.down.done - calm.t0) * 1.02);
    // All 12 legitimate clients got through within a few seconds of their SYN, by SYN cookies.
    expect(r.legit.length).toBe(12);
    for (const l of r.legit) {
      expect(l.connected - l.start).toBeLessThan(3000);
      expect(l.echoed - l.connected).toBeLessThan(1000);
    }
    const st = r.server.engine.stats;
    expect(st.synCookiesSent).toBeGreaterThan(999_000);
    expect(st.synCookiesRecv).toBeGreaterThanOrEqual(12);
    expect(r.otherPort).toBe(true);
    expect(r.outbound).toBeGreaterThanOrEqual(19);
    expect(r.server.engine.memory.buffer.byteLength).toBe(r.mem0);
  }, 120_000);
});
