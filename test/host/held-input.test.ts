// Engine.holdRecords: input that must wait for the end of a drain is kept in the rx area (processed in
// place, no second copy) while it fits, the rest in a host buffer after it; input that cannot wait
// (a packet from outside while records are held) first moves the held records out of the rx area.
// Every held packet is processed once, in the order it came.
import { describe, expect, it } from 'vitest';
import { recordBatch, recordBytes, appendRecords } from '../../src/engine/records.js';
import { Harness, RST, SYN, buildSegment } from '../tcp/harness.js';

/** SYNs to closed ports `ports` as one batch of packet records (each is answered with a RST from that port). */
function synRecords(ports: number[]) {
  const batch = recordBatch(new Uint8Array(4096));
  for (const dport of ports) {
    const p = buildSegment({ seq: 1, flags: SYN, dport });
    const rec = new Uint8Array(recordBytes(p.length));
    new DataView(rec.buffer).setUint32(0, p.length, true);
    rec.set(p, 8);
    appendRecords(batch, rec, new Int32Array(rec.buffer), 0, rec.length, 1);
  }
  return batch;
}

/** Holds the records of `b` one at a time (as a drain hands over one packet after another). */
function holdEach(h: Harness, b: ReturnType<typeof synRecords>): void {
  for (let p = 0; p < b.end;) {
    const next = p + recordBytes(new DataView(b.u8.buffer).getUint32(p, true));
    h.e.holdRecords(b.u8, b.i32, p, next, 1);
    p = next;
  }
}

/** The source ports of the RSTs the engine sent, in order. */
function rstPorts(h: Harness): number[] {
  h.collect();
  return h.out.filter((s) => s.flags & RST).map((s) => s.sport);
}

describe('held input', () => {
  // A small rx area (576 B + one header): 12 records of a 40-byte SYN fit it, the rest spill.
  const config = { rxSlotSize: 576, mss: 536, invalidRateLimitMs: 0 };
  const ports = Array.from({ length: 30 }, (_, i) => 1000 + i);

  it('records held in the rx area and beyond it are processed in order, once', () => {
    const h = new Harness(config);
    const b = synRecords(ports);
    // Held one at a time, then as one run: both paths end in the same order.
    for (let p = 0, i = 0; i < 10; i++) {
      const next = p + recordBytes(40);
      h.e.holdRecords(b.u8, b.i32, p, next, 1);
      p = next;
    }
    h.e.holdRecords(b.u8, b.i32, 10 * recordBytes(40), b.end, ports.length - 10);
    expect(h.e.held).toBe(true);
    expect(rstPorts(h)).toEqual([]); // nothing processed while held
    h.e.inputHeld(0);
    expect(h.e.held).toBe(false);
    expect(rstPorts(h)).toEqual(ports);
  });

  it('a packet that cannot wait is processed first; the held ones follow, in order', () => {
    const h = new Harness(config);
    holdEach(h, synRecords(ports.slice(0, 15))); // 12 in the rx area, 3 beyond
    h.e.input(buildSegment({ seq: 1, flags: SYN, dport: 2000 }), 0);
    expect(rstPorts(h)).toEqual([2000]);
    holdEach(h, synRecords(ports.slice(15, 18)));
    h.e.inputRecords(synRecords([2001]), 0);
    h.e.inputHeld(0);
    expect(rstPorts(h)).toEqual([2000, 2001, ...ports.slice(0, 18)]);
  });

  it('dropHeld forgets them (a crash)', () => {
    const h = new Harness(config);
    const b = synRecords(ports);
    h.e.holdRecords(b.u8, b.i32, 0, b.end, ports.length);
    h.e.dropHeld();
    h.e.inputHeld(0);
    expect(rstPorts(h)).toEqual([]);
  });
});
