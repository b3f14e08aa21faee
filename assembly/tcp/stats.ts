// Engine-wide counters, u32 slots in the stats area (memory.ts). The host reads them as a Uint32Array.
import { Stat } from '../abi';
import { statsBase } from '../memory';

/** Adds `n` to counter `s`. */
// @ts-ignore: decorator
@inline export function statAdd(s: Stat, n: u32 = 1): void {
  let p = statsBase + (<usize>s << 2);
  store<u32>(p, load<u32>(p) + n);
}

/** Adds 1 to counter `s`: statAdd as one call, for the counters of drops and rare paths (less code). */
export function statBump(s: Stat): void {
  statAdd(s);
}
