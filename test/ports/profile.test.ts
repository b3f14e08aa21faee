// The reduced compile-time profile (assembly/options.ts, asconfig.json target portable-tcp →
// build/engine.tcp.wasm): TCP + IPv4 with NewReno over IP interfaces, the features lwIP's TCP + IPv4
// figure lacks left out. It must move data like the full build, and refuse every left-out feature the
// host asks for with EOPNOTSUPP (never a trap); the full portable build takes the same requests.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine, CONFIG_KEYS, type EngineConfig } from '../../src/engine/engine.js';
import { instantiateModule, type EngineExports } from '../../src/engine/load.js';
import { ConnFlag, DEFAULT_CONFIG, Errno, IfKind } from '../../src/engine/abi.js';
import { EngineError } from '../../src/engine/errno.js';
import { transfer } from './transfer.js';

const load = (f: string) => new WebAssembly.Module(readFileSync(new URL(`../../build/${f}`, import.meta.url)));
const tcpModule = load('engine.tcp.wasm');
const fullModule = load('engine.portable.wasm');
const key = (k: keyof EngineConfig) => CONFIG_KEYS.indexOf(k);

/** The knobs of the left-out features, each with a value that turns it on. */
const FEATURE_KNOBS: [keyof EngineConfig, number][] = [
  ['sack', 1], ['dsack', 1], ['rack', 1], ['tlp', 1], ['synCookies', 1],
  ['invalidRateLimitMs', 500], ['challengeAckLimit', 1000], ['rstLimit', 1000], ['icmpAbortsSynSent', 1],
];
/** What the reduced engine runs with: the left-out features off (their only valid value there). */
const OFF: Partial<EngineConfig> = Object.fromEntries(FEATURE_KNOBS.map(([k]) => [k, typeof DEFAULT_CONFIG[k] === 'boolean' ? false : 0]));
const SMALL: Partial<EngineConfig> = { maxConnections: 4, maxListeners: 2, sendBufferSize: 8192, recvBufferSize: 8192, txQueueSize: 65536, eventQueueSize: 64 };

/** The Internet checksum of `b` (RFC 1071). */
function inetSum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** An IPv4 ICMP echo request from `src` to `dst` with 8 bytes of data. */
function echoRequest(src: number, dst: number): Uint8Array {
  const p = new Uint8Array(36);
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x45); v.setUint16(2, p.length); v.setUint8(8, 64); v.setUint8(9, 1);
  v.setUint32(12, src); v.setUint32(16, dst);
  v.setUint16(10, inetSum(p.subarray(0, 20)));
  v.setUint8(20, 8); v.setUint16(24, 0x1234); v.setUint16(26, 1);
  p.fill(0x61, 28);
  v.setUint16(22, inetSum(p.subarray(20)));
  return p;
}

/** An ICMP host unreachable (type 3 code 1) from `from` to `to` quoting `pkt`'s IPv4 header and 8 bytes. */
function hostUnreachable(from: number, to: number, pkt: Uint8Array): Uint8Array {
  const quote = pkt.subarray(0, (pkt[0] & 15) * 4 + 8);
  const p = new Uint8Array(28 + quote.length);
  const v = new DataView(p.buffer);
  v.setUint8(0, 0x45); v.setUint16(2, p.length); v.setUint8(8, 64); v.setUint8(9, 1);
  v.setUint32(12, from); v.setUint32(16, to);
  v.setUint16(10, inetSum(p.subarray(0, 20)));
  v.setUint8(20, 3); v.setUint8(21, 1);
  p.set(quote, 28);
  v.setUint16(22, inetSum(p.subarray(20)));
  return p;
}

/** Engines `a` (of module `ma`, config `ca`) and `b`, `bytes` moved a → b (transfer.ts). */
function pair(ma: WebAssembly.Module, ca: Partial<EngineConfig>, mb: WebAssembly.Module, cb: Partial<EngineConfig>, bytes: number) {
  const a = Engine.create({ addr: 0x0a000001, seed: 1, config: ca, module: ma });
  const b = Engine.create({ addr: 0x0a000002, seed: 2, config: cb, module: mb });
  return { a, b, ...transfer(a, b, 0x0a000002, bytes) };
}

describe('reduced profile (build/engine.tcp.wasm)', () => {
  it('has the full module\'s exports and is smaller', () => {
    const names = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => e.name).sort();
    expect(names(tcpModule)).toEqual(names(fullModule));
    const size = (f: string) => readFileSync(new URL(`../../build/${f}`, import.meta.url)).length;
    expect(size('engine.tcp.wasm')).toBeLessThan(size('engine.portable.wasm') * 0.85);
  });

  it('refuses to turn on a left-out feature (EOPNOTSUPP) and takes it off; the full build takes both', () => {
    const tcp: EngineExports = instantiateModule(tcpModule);
    const full: EngineExports = instantiateModule(fullModule);
    for (const [k, on] of FEATURE_KNOBS) {
      expect(tcp.configSet(key(k), on), k).toBe(-Errno.EOPNOTSUPP);
      expect(tcp.configSet(key(k), 0), k).toBe(0);
      expect(full.configSet(key(k), on), k).toBe(0);
      expect(full.configSet(key(k), 0), k).toBe(0);
    }
    // Range checks come first, as in every build.
    expect(tcp.configSet(key('invalidRateLimitMs'), -1)).toBe(-Errno.EINVAL);
    expect(tcp.configSet(key('sack'), NaN)).toBe(-Errno.EINVAL);
    // The other knobs are unchanged.
    expect(tcp.configSet(key('timestamps'), 1)).toBe(0);
    expect(tcp.configSet(key('ttl'), 0)).toBe(-Errno.EINVAL);
  });

  it('says EOPNOTSUPP through the Engine wrapper for the defaults that need a left-out feature', () => {
    let err: unknown;
    try { Engine.create({ addr: 0x0a000001, seed: 1, config: SMALL, module: tcpModule }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('EOPNOTSUPP');
    expect((err as EngineError).message).toMatch(/^config (sack|synCookies|dsack|rack|tlp|invalidRateLimitMs|challengeAckLimit|rstLimit|icmpAbortsSynSent)=/);
  });

  it('refuses an Ethernet interface and the neighbour cache, takes an IP one', () => {
    const e = Engine.create({ addr: 0x0a000001, seed: 1, config: { ...SMALL, ...OFF }, module: tcpModule });
    const eth = { kind: IfKind.ETHERNET, addr: 0xc0a80001, prefix: 24, mac: 0x020000000001, mtu: 1500 };
    expect(e.ifaceUp(1, eth, 0)).toBe(-Errno.EOPNOTSUPP);
    expect(e.ifaceUp(1, { ...eth, kind: IfKind.IP }, 0)).toBe(0);
    expect(e.neighbours()).toEqual([]);
    const full = Engine.create({ addr: 0x0a000001, seed: 1, config: SMALL, module: fullModule });
    expect(full.ifaceUp(1, eth, 0)).toBe(0);
  });

  it('moves data with NewReno: no SACK offered, nor taken from a full peer that offers it', () => {
    const reduced = { ...SMALL, ...OFF };
    for (const [ma, ca, mb, cb] of [[tcpModule, reduced, tcpModule, reduced], [tcpModule, reduced, fullModule, SMALL], [fullModule, SMALL, tcpModule, reduced]] as const) {
      const { a, b, c, bc } = pair(ma, ca, mb, cb, 100_000);
      expect(a.info(c).flags & ConnFlag.SACK).toBe(0);
      expect(b.info(bc).flags & ConnFlag.SACK).toBe(0);
      expect(a.info(c).flags & ConnFlag.TS).not.toBe(0);
    }
    // The control: two full engines negotiate SACK with the same config.
    const full = pair(fullModule, SMALL, fullModule, SMALL, 10_000);
    expect(full.a.info(full.c).flags & ConnFlag.SACK).not.toBe(0);
  });

  it('ignores ICMP errors (counted as bad packets), the full build aborts a connect on one', () => {
    for (const [module, cfg, full] of [[tcpModule, { ...SMALL, ...OFF }, false], [fullModule, SMALL, true]] as const) {
      const e = Engine.create({ addr: 0x0a000001, seed: 1, config: cfg, module });
      const c = e.connect(0x0a000002, 80, 0);
      const out: Uint8Array[] = [];
      e.drainTx((p) => { out.push(p.slice()); });
      expect(out.length).toBe(1);
      const bad = e.stats.badPackets;
      e.input(hostUnreachable(0x0a0000fe, 0x0a000001, out[0]), 1);
      expect(e.stats.icmpIn).toBe(full ? 1 : 0);
      expect(e.stats.badPackets - bad).toBe(full ? 0 : 1);
      expect(e.state(c)).toBe(full ? 0 : 2); // CLOSED (EHOSTUNREACH) or still SYN_SENT
    }
  });

  it('drops ICMP echo requests (counted), the full build answers them', () => {
    for (const [module, cfg, answers] of [[tcpModule, { ...SMALL, ...OFF }, false], [fullModule, SMALL, true]] as const) {
      const e = Engine.create({ addr: 0x0a000002, seed: 1, config: cfg, module });
      e.input(echoRequest(0x0a000001, 0x0a000002), 0);
      let out = 0;
      e.drainTx(() => { out++; });
      expect(out).toBe(answers ? 1 : 0);
      expect(e.stats.icmpEchoReplies).toBe(answers ? 1 : 0);
      expect(e.stats.icmpEchoDropped).toBe(answers ? 0 : 1);
    }
  });
});
