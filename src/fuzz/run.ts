// `wasm-tcp fuzz`: the world of world.ts fed structured mutants of its own segments and random
// packets, interleaved with application actions and clock advances. After every step: no WASM trap
// and no JS exception, no livelock (a bound on packets at one instant), no memory growth, and the
// engine's self-check passes. At the end every table drains to empty and a fresh 1 MB transfer is
// bit-exact. Browser-safe; `module` is the test build (build/engine.test.wasm).
import { SELF_CHECKS, STATE_NAMES } from '../engine/abi.js';
import { Prng } from '../util/prng.js';
import { Mutator } from './mutate.js';
import { be16, be32, ipHeaderLength } from './packet.js';
import { World, type Node } from './world.js';

/** Options of one fuzz run. */
export interface FuzzOptions {
  /** Fuzz packets to inject (mutants and random packets). */
  packets: number;
  seed: number;
  /** The test build of the engine (it has testSelfCheck and testTupleState). */
  module: WebAssembly.Module;
  /** Called now and then with the packets injected so far. */
  progress?: (done: number) => void;
  /** Called after every step, before the checks (tests use it to break an invariant on purpose). */
  onStep?: (world: World, step: number) => void;
}

/** What a run did. */
export interface FuzzReport {
  packets: number;
  seed: number;
  /** Mutants of captured segments among the packets, and random packets. */
  mutants: number;
  random: number;
  /** Injected packets that passed the checksum and header checks and reached the state machine, by the state whose input code took them. */
  reached: Record<string, number>;
  /** Application actions and clock advances interleaved with them. */
  actions: number;
  advances: number;
  /** Packets the wire carried between the engines. */
  delivered: number;
  /** Virtual time the run covered, in seconds. */
  virtualSeconds: number;
  wallSeconds: number;
  /** Injected packets per second of wall time. */
  packetsPerSecond: number;
  /** The final 1 MB transfer arrived bit-exact. */
  transferOk: boolean;
}

/** A broken invariant, a trap or an exception, with what is needed to reproduce it. */
export class FuzzFailure extends Error {
  constructor(message: string, readonly step: number, readonly packet: Uint8Array | undefined) {
    super(message);
  }
}

type Exports = { testSelfCheck(): number; testTupleState(a: number, p: number, l: number): number };

/** Checks every node: self-check, memory size. */
function check(w: World, step: number, last: Uint8Array | undefined): void {
  for (const [i, n] of w.nodes.entries()) {
    const r = (n.e.exports as unknown as Exports).testSelfCheck();
    if (r !== 0) {
      const [name, what] = SELF_CHECKS[(r >>> 16) - 1] ?? ['?', '?'];
      const slot = r & 0xffff;
      let detail = '';
      try {
        const inf = n.e.info(slot);
        const ex = n.e.exports as unknown as { testOooEdge(s: number, k: number): number };
        const ooo = Array.from({ length: inf.oooRanges * 2 }, (_, k) => ex.testOooEdge(slot, k) >>> 0);
        detail = JSON.stringify({ ...inf, ooo });
      } catch { /* a free slot */ }
      throw new FuzzFailure(`engine ${i}: self-check ${name} failed at slot ${slot} (${what}) ${detail}`, step, last);
    }
    if (n.e.memory.buffer.byteLength !== n.memory0) throw new FuzzFailure(`engine ${i}: memory grew`, step, last);
  }
}

/** The state whose input code `bytes` reaches in `n` (CLOSED when it is no TCP segment for it). */
function targetState(n: Node, bytes: Uint8Array, len: number): number {
  if (len < 40 || bytes[0] >> 4 !== 4 || bytes[9] !== 6) return -1;
  const t = ipHeaderLength(bytes, 0);
  if (t < 20 || t + 4 > len) return -1;
  return (n.e.exports as unknown as Exports).testTupleState(be32(bytes, 12), be16(bytes, t), be16(bytes, t + 2));
}

/** A fresh 1 MB transfer each way between the first two nodes; true when both arrive bit-exact. */
function freshTransfer(w: World): boolean {
  const [a, b] = w.nodes;
  const size = 1 << 20;
  w.apps = false;
  const data = new Uint8Array(size);
  new Prng(w.now).fill(data);
  const l = b.e.listen(9999);
  const ca = a.e.connect(b.addr, 9999, w.now);
  w.settle();
  let cb = -1;
  const got = [new Uint8Array(size), new Uint8Array(size)];
  const at = [0, 0];
  const sent = [0, 0];
  const buf = new Uint8Array(65536);
  for (let guard = 0; guard < 200_000 && (at[0] < size || at[1] < size); guard++) {
    if (cb < 0) cb = b.e.accept(l);
    const ends: [Node, number][] = [[a, ca], [b, cb]];
    ends.forEach(([n, c], k) => {
      if (c < 0) return;
      while (sent[k] < size) {
        const r = n.e.send(c, data.subarray(sent[k], Math.min(size, sent[k] + 65536)), w.now);
        if (r <= 0) break;
        sent[k] += r;
      }
      for (let r = n.e.recv(c, buf, w.now); r > 0; r = n.e.recv(c, buf, w.now)) {
        got[k].set(buf.subarray(0, Math.min(r, size - at[k])), at[k]);
        at[k] += r;
      }
    });
    w.settle();
    const next = w.nextEvent();
    w.advance(next < Infinity ? next : w.now + 1);
  }
  const ok = at[0] === size && at[1] === size && got.every((g) => g.every((x, i) => x === data[i]));
  a.e.close(ca, w.now);
  a.e.release(ca, w.now);
  if (cb >= 0) { b.e.close(cb, w.now); b.e.release(cb, w.now); }
  b.e.unlisten(l, w.now);
  w.settle();
  w.apps = true;
  return ok;
}

/** Runs the fuzzer; throws FuzzFailure (or the trap or exception itself, wrapped) on a defect. */
export function runFuzz(opts: FuzzOptions): FuzzReport {
  const rnd = new Prng(opts.seed);
  const w = new World(new Prng(opts.seed ^ 0x5eed), opts.module, opts.seed);
  const mut = new Mutator(new Prng(opts.seed * 7 + 1));
  const out = new Uint8Array(65536 + 128);
  const reached: Record<string, number> = Object.fromEntries(STATE_NAMES.map((s) => [s, 0]));
  let injected = 0, mutants = 0, random = 0, actions = 0, advances = 0, step = 0;
  let last: Uint8Array | undefined;
  const t0 = performance.now();
  /** Feeds `bytes` to `to`, counting it for state `st` when it got past the checksum and header checks. */
  const inject = (to: Node, bytes: Uint8Array, st: number) => {
    const before = to.e.stats.segmentsIn;
    w.inject(to, bytes);
    if (st >= 0 && to.e.stats.segmentsIn > before) reached[STATE_NAMES[st]]++;
    injected++;
  };
  try {
    // Some traffic first, so there is something to capture.
    for (let i = 0; i < 20; i++) { w.act(); w.advance(w.now + 5); }
    check(w, 0, undefined);
    while (injected < opts.packets) {
      step++;
      const k = rnd.int(100);
      let src = k < 60 ? w.sample() : undefined;
      if (src) {
        // Mostly mutants that reach a connection: a captured segment of one that is gone is tried again.
        let len = 0, st = -1, to = w.nodes[0];
        for (let tries = rnd.int(4) ? 6 : 1; tries > 0 && src; tries--, src = w.sample()) {
          len = mut.mutant(src, src.length, out);
          to = (len >= 20 ? w.node(be32(out, 16)) : undefined) ?? w.node(be32(src, 16)) ?? w.nodes[0];
          st = targetState(to, out, len);
          if (st > 0) break;
        }
        last = out.subarray(0, len);
        inject(to, last, st);
        mutants++;
      } else if (k < 64) {
        const to = w.nodes[rnd.int(w.nodes.length)];
        const from = w.nodes[rnd.int(w.nodes.length)];
        const len = mut.random(out, from.addr, to.addr);
        last = out.subarray(0, len);
        inject(to, last, targetState(to, out, len));
        random++;
      } else if (k < 80) {
        w.act();
        actions++;
      } else {
        // 70 % up to 5 ms, 25 % up to 200 ms, 4.5 % up to 5 s, 0.5 % 30 s to 200 s (TIME_WAIT, keepalive and FIN_WAIT_2 ends).
        const j = rnd.int(1000);
        const dt = j < 700 ? rnd.next() * 5 : j < 950 ? 5 + rnd.next() * 200 : j < 995 ? 200 + rnd.next() * 5000 : 30_000 + rnd.next() * 170_000;
        w.advance(w.now + dt);
        w.releaseDue();
        advances++;
      }
      opts.onStep?.(w, step);
      check(w, step, last);
      if (opts.progress && (step & 4095) === 0) opts.progress(injected);
    }
    last = undefined;
    w.wind_down(4 * 3600_000);
    check(w, step, undefined);
    for (const [i, n] of w.nodes.entries()) {
      if (n.e.connectionsInUse !== 0) throw new FuzzFailure(`engine ${i}: ${n.e.connectionsInUse} connections left after the tables drained`, step, undefined);
      if (n.e.nextDeadline !== Infinity) throw new FuzzFailure(`engine ${i}: a deadline is left after the tables drained`, step, undefined);
    }
    const transferOk = freshTransfer(w);
    w.wind_down(4 * 3600_000);
    check(w, step, undefined);
    if (!transferOk) throw new FuzzFailure('the fresh 1 MB transfer after the run was not bit-exact', step, undefined);
    const wall = (performance.now() - t0) / 1000;
    return {
      packets: injected, seed: opts.seed, mutants, random, reached, actions, advances, delivered: w.delivered,
      virtualSeconds: Math.round(w.now) / 1000, wallSeconds: Math.round(wall * 1000) / 1000,
      packetsPerSecond: Math.round(injected / wall), transferOk,
    };
  } catch (err) {
    if (err instanceof FuzzFailure) throw err;
    throw new FuzzFailure(`${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`, step, last);
  }
}
