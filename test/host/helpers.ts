// Shared helpers of the host tests: two stacks on a virtual clock over a DirectLink or a SimNetwork.
import { RealClock } from '../../src/clock/real.js';
import { VirtualClock } from '../../src/clock/virtual.js';
import type { EngineConfig } from '../../src/engine/engine.js';
import { DirectLink } from '../../src/link/direct.js';
import type { TapEvent } from '../../src/link/link.js';
import { SimNetwork, type PathConditions } from '../../src/link/sim.js';
import { Stack } from '../../src/stack.js';

export const CLIENT = '10.0.0.1';
export const SERVER = '10.0.0.2';

/** Two stacks (client 10.0.0.1, server 10.0.0.2) on one virtual clock, over a SimNetwork. */
export function simPair(cond: Partial<PathConditions> = {}, config: Partial<EngineConfig> = {}, seed = 1) {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, seed, delay: 5, ...cond });
  const client = new Stack({ address: CLIENT, clock, link: net, seed: seed * 2 + 1, config, name: 'client' });
  const server = new Stack({ address: SERVER, clock, link: net, seed: seed * 2 + 2, config, name: 'server' });
  const taps: TapEvent[] = [];
  net.tap((e) => taps.push({ ...e, bytes: e.bytes.slice() }));
  return { clock, net, client, server, taps };
}

/** Two stacks over a zero-delay DirectLink. */
export function directPair(config: Partial<EngineConfig> = {}) {
  const clock = new VirtualClock();
  const client = new Stack({ address: CLIENT, clock, config, name: 'client' });
  const server = new Stack({ address: SERVER, clock, config, name: 'server' });
  const link = DirectLink.connect(client, server, clock);
  return { clock, link, client, server };
}

/** Two stacks (10.N.0.1 and 10.N.0.2) on a RealClock over a DirectLink: for code that needs real time (Node libraries). */
export function realPair(subnet: number) {
  const clock = new RealClock();
  const a = new Stack({ address: `10.${subnet}.0.1`, clock, name: 'client' });
  const b = new Stack({ address: `10.${subnet}.0.2`, clock, name: 'server' });
  DirectLink.connect(a, b);
  return { clock, a, b };
}

/** TCP fields of an IPv4/TCP packet (enough for ladders in tests). */
export function tcpOf(p: Uint8Array) {
  const ihl = (p[0] & 15) * 4;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const total = v.getUint16(2);
  const off = ((p[ihl + 12] >> 4) & 15) * 4;
  const f = p[ihl + 13];
  return {
    proto: p[9],
    srcPort: v.getUint16(ihl),
    dstPort: v.getUint16(ihl + 2),
    seq: v.getUint32(ihl + 4),
    ack: v.getUint32(ihl + 8),
    flags: f,
    syn: !!(f & 2), fin: !!(f & 1), rst: !!(f & 4), ackFlag: !!(f & 16),
    len: total - ihl - off,
  };
}

/** Concatenates chunks. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Runs the virtual clock in slices, yielding to the microtask queue, until `p` settles. */
export async function drive<T>(clock: VirtualClock, p: Promise<T>, sliceMs = 10, limitMs = 600_000): Promise<T> {
  let settled = false;
  const q = p.finally(() => (settled = true));
  const end = clock.now() + limitMs;
  while (!settled && clock.now() < end) {
    clock.runFor(sliceMs);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
  if (!settled) throw new Error('drive: promise did not settle in virtual time');
  return q;
}
