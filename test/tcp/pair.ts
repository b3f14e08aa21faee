// Two engines wired back to back on a virtual clock, with an optional drop/mangle hook.
import { Engine, type EngineConfig, type EngineEvent } from '../../src/engine/engine.js';
import { ip } from './harness.js';

export const A_ADDR = ip(10, 0, 0, 1);
export const B_ADDR = ip(10, 0, 0, 2);

/** Decides the fate of a packet: return false to drop it. */
export type LinkFilter = (from: 'a' | 'b', pkt: Uint8Array, now: number) => boolean;

/** Two engines exchanging packets directly. */
export class Pair {
  readonly a: Engine;
  readonly b: Engine;
  now = 0;
  readonly evA: EngineEvent[] = [];
  readonly evB: EngineEvent[] = [];
  filter: LinkFilter | null = null;
  delivered = 0;

  /** `module`: the engine module to run (default the release build; tests of hooks pass the test build). */
  constructor(config: Partial<EngineConfig> = {}, seed = 7, configB?: Partial<EngineConfig>, module?: WebAssembly.Module) {
    this.a = Engine.create({ addr: A_ADDR, seed, config, module });
    this.b = Engine.create({ addr: B_ADDR, seed: seed + 1, config: configB ?? config, module });
  }

  /** Moves packets both ways until both tx queues are empty; returns packets moved. */
  pump(): number {
    let moved = 0;
    for (let round = 0; round < 10000; round++) {
      let n = 0;
      n += this.a.drainTx((p) => { if (!this.filter || this.filter('a', p, this.now)) { this.b.input(p, this.now); this.delivered++; } });
      n += this.b.drainTx((p) => { if (!this.filter || this.filter('b', p, this.now)) { this.a.input(p, this.now); this.delivered++; } });
      this.drainEvents();
      moved += n;
      if (n === 0) {
        // A full tx queue may have held output back: poll at the same time once.
        const pa = this.a.poll(this.now), pb = this.b.poll(this.now);
        if (this.a.txPending === 0 && this.b.txPending === 0) { if (pa > this.now && pb > this.now) break; }
      }
    }
    return moved;
  }

  private drainEvents(): void {
    const ev = { kind: 0, conn: 0, arg: 0 };
    while (this.a.nextEvent(ev)) this.evA.push({ ...ev });
    while (this.b.nextEvent(ev)) this.evB.push({ ...ev });
  }

  /** Pumps, then jumps the clock to the next deadline; stops when `done()` or at `until` ms. */
  run(done: () => boolean, until = 1e7): void {
    for (let i = 0; i < 200_000; i++) {
      this.pump();
      if (done()) return;
      const next = Math.min(this.a.poll(this.now), this.b.poll(this.now));
      if (this.a.txPending || this.b.txPending) continue;
      if (!(next <= until)) { this.now = until; return; }
      this.now = Math.max(this.now, next);
    }
    throw new Error(`run: too many steps (now ${this.now})`);
  }
}
