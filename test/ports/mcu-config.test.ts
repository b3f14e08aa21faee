// The engine changes the ports rely on: the portable module (no SIMD, the same exports), MCU-sized rx and
// tx areas accepted and checked against the MSS, memory laid out from the static data's end and inside
// the initial memory when it fits (one 64 KiB page for the portable module).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import binaryen from 'binaryen';
import { Engine, CONFIG_KEYS, type EngineConfig } from '../../src/engine/engine.js';
import { instantiateEngine, instantiateModule, type EngineExports } from '../../src/engine/load.js';
import { Ctl, Errno } from '../../src/engine/abi.js';
import { transfer } from './transfer.js';

/** The MCU profile of ports/c/cases.c. */
const MCU: Partial<EngineConfig> = {
  maxConnections: 4, maxListeners: 2, backlog: 4, sendBufferSize: 4096, recvBufferSize: 4096,
  rxSlotSize: 1600, txQueueSize: 6144, eventQueueSize: 64, maxInterfaces: 1, arpCacheSize: 1, arpQueueBytes: 0,
};
const key = (k: keyof EngineConfig) => CONFIG_KEYS.indexOf(k);

const portableModule = new WebAssembly.Module(readFileSync(new URL('../../build/engine.portable.wasm', import.meta.url)));
const portable = (): EngineExports => instantiateModule(portableModule);

/** Control slot `k` of a raw instance. */
function ctl(ex: EngineExports, k: Ctl): number {
  return new Int32Array(ex.memory.buffer)[(ex.ctlPtr() >>> 2) + k] >>> 0;
}

function configure(ex: EngineExports, cfg: Partial<EngineConfig>): void {
  for (const [k, v] of Object.entries(cfg)) expect(ex.configSet(key(k as keyof EngineConfig), Number(v)), k).toBe(0);
}

describe('portable module', () => {
  it('has the release module\'s exports and no SIMD', () => {
    const names = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => e.name).sort();
    const release = new WebAssembly.Module(readFileSync(new URL('../../build/engine.wasm', import.meta.url)));
    expect(names(portableModule)).toEqual(names(release));
    expect(WebAssembly.Module.imports(portableModule)).toEqual([]);
    // wasm2c 1.0.32 aborts on SIMD: no v128 type or instruction may be left (binaryen, asc's own, reads both).
    const text = (f: string) => binaryen.readBinary(readFileSync(new URL(`../../build/${f}`, import.meta.url))).emitText();
    expect(text('engine.wasm')).toMatch(/v128\.load/);
    expect(text('engine.portable.wasm')).not.toMatch(/v128/);
  });

  it('moves data through the Engine wrapper like the release module', () => {
    const a = Engine.create({ addr: 0x0a000001, seed: 1, config: MCU, module: portableModule });
    const b = Engine.create({ addr: 0x0a000002, seed: 2, config: MCU, module: portableModule });
    transfer(a, b, 0x0a000002, 3000);
  });
});

describe('MCU-sized config', () => {
  it('is accepted and lays out inside the initial memory of the main build (no growth)', () => {
    const initial = instantiateEngine().memory.buffer.byteLength;
    const e = Engine.create({ addr: 0x0a000001, seed: 1, config: MCU });
    expect(e.memory.buffer.byteLength).toBe(initial);
    expect(e.memoryBytes).toBeLessThan(48 * 1024);
    expect(e.config.rxSlotSize).toBe(1600);
  });

  it('fits the portable module in one 64 KiB page', () => {
    const ex = portable();
    expect(ex.memory.buffer.byteLength).toBe(65536);
    configure(ex, MCU);
    expect(ex.init(0x0a000001, 1, 0)).toBe(0);
    expect(ex.memory.buffer.byteLength).toBe(65536);
    expect(ctl(ex, Ctl.MemoryBytes)).toBeGreaterThan(4 * 2 * 4096);
    // The layout starts past the static data, not at the end of memory: the last area ends inside the page.
    expect(ctl(ex, Ctl.RxBase) + ctl(ex, Ctl.RxSize)).toBeLessThan(65536);
    expect(ctl(ex, Ctl.RxSize)).toBe(1600 + 8);
    expect(ctl(ex, Ctl.TxSize)).toBe(6144);
  });

  it('grows memory once when the layout does not fit the initial memory', () => {
    const ex = portable();
    expect(ex.init(0x0a000001, 1, 0)).toBe(0); // defaults: 128 connections × 128 KiB of rings
    expect(ex.memory.buffer.byteLength).toBeGreaterThanOrEqual(ctl(ex, Ctl.MemoryBytes));
    expect(ex.memory.buffer.byteLength % 65536).toBe(0);
    expect(ex.memory.buffer.byteLength).toBeLessThan(ctl(ex, Ctl.MemoryBytes) + 2 * 65536);
  });

  it('never allocates: the layout at __heap_base is the runtime\'s heap, so no allocator may be compiled in', () => {
    const wat = readFileSync(new URL('../../build/engine.debug.wat', import.meta.url), 'utf8');
    expect(wat).toMatch(/\(func \$assembly\/memory\/layoutMemory/);
    expect(wat).not.toMatch(/\(func \$~lib\/rt\//);
  });
});

describe('rx and tx area sizes', () => {
  it('reject areas below 576 bytes (RFC 791) when set', () => {
    const ex = portable();
    expect(ex.configSet(key('rxSlotSize'), 575)).toBe(-Errno.EINVAL);
    expect(ex.configSet(key('txQueueSize'), 575)).toBe(-Errno.EINVAL);
    expect(ex.configSet(key('rxSlotSize'), 576)).toBe(0);
    expect(ex.configSet(key('txQueueSize'), 576)).toBe(0);
  });

  it('init rejects an rx area smaller than MSS + 40 and a tx area smaller than one largest packet record', () => {
    const create = (c: Partial<EngineConfig>) => () => Engine.create({ addr: 1, seed: 1, config: { ...MCU, ...c } });
    expect(create({ rxSlotSize: 1499 })).toThrow(/EINVAL/);
    expect(create({ rxSlotSize: 1500 })).not.toThrow();
    expect(create({ txQueueSize: 1550 })).toThrow(/EINVAL/);
    expect(create({ txQueueSize: 1551 })).not.toThrow();
    expect(create({ mss: 536, rxSlotSize: 576, txQueueSize: 627 })).not.toThrow();
    expect(create({ mss: 536, rxSlotSize: 576, txQueueSize: 626 })).toThrow(/EINVAL/);
  });

  it('the smallest tx area takes the largest segment the engine sends', () => {
    // MSS 536 without timestamps: full segments of 536 bytes, 576-byte packets, 584-byte records.
    const cfg: Partial<EngineConfig> = { ...MCU, mss: 536, defaultMss: 536, rxSlotSize: 576, txQueueSize: 627, timestamps: false };
    const a = Engine.create({ addr: 0x0a000001, seed: 1, config: cfg });
    const b = Engine.create({ addr: 0x0a000002, seed: 2, config: cfg });
    b.listen(80);
    const c = a.connect(0x0a000002, 80, 0);
    let largest = 0;
    for (let now = 0; now < 50; now++) {
      for (const [from, to] of [[a, b], [b, a]] as const) {
        from.drainTx((p) => { largest = Math.max(largest, p.length); to.input(p, now); });
      }
      if (now === 5) expect(a.send(c, new Uint8Array(2000), now)).toBe(2000);
      a.poll(now);
      b.poll(now);
    }
    expect(largest).toBe(576);
    expect(a.stats.bytesOut).toBe(2000);
    expect(b.stats.badPackets).toBe(0);
  });

  it('the rx area takes a packet of exactly rxSlotSize bytes, a multiple of 4 or not', () => {
    for (const rxSlotSize of [1500, 1501, 1503]) {
      // Without timestamps a full segment is mss + 40 bytes: exactly the rx slot.
      const cfg: Partial<EngineConfig> = { ...MCU, mss: rxSlotSize - 40, rxSlotSize, timestamps: false };
      const a = Engine.create({ addr: 0x0a000001, seed: 1, config: cfg });
      const b = Engine.create({ addr: 0x0a000002, seed: 2, config: cfg });
      const l = b.listen(80);
      const c = a.connect(0x0a000002, 80, 0);
      let largest = 0;
      let got = 0;
      const buf = new Uint8Array(4096);
      const ev = { kind: 0, conn: 0, arg: 0 };
      let bc = -1;
      for (let now = 0; now < 50; now++) {
        a.drainTx((p) => { largest = Math.max(largest, p.length); b.input(p, now); });
        b.drainTx((p) => a.input(p, now));
        while (b.nextEvent(ev)) if (ev.kind === 2) bc = b.accept(l);
        if (now === 5) expect(a.send(c, new Uint8Array(rxSlotSize - 40), now)).toBe(rxSlotSize - 40);
        if (bc >= 0) got += Math.max(0, b.recv(bc, buf, now));
        a.poll(now);
        b.poll(now);
      }
      expect(largest, `rxSlotSize ${rxSlotSize}`).toBe(rxSlotSize);
      expect(got, `rxSlotSize ${rxSlotSize}`).toBe(rxSlotSize - 40);
      expect(b.stats.badPackets, `rxSlotSize ${rxSlotSize}`).toBe(0);
    }
  });

  it('keeps the MSS fixed after init (EBUSY), like the sizes it was checked against', () => {
    const ex = portable();
    configure(ex, MCU);
    expect(ex.init(0x0a000001, 1, 0)).toBe(0);
    expect(ex.configSet(key('mss'), 1400)).toBe(-Errno.EBUSY);
    expect(ex.configSet(key('rtoMinMs'), 100)).toBe(0);
  });
});
