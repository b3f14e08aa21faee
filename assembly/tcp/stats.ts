// Engine-wide counters, u32 slots in the stats area (memory.ts). The host reads them as a Uint32Array.
import { statsBase } from '../memory';

/** Counter slots; src/engine/engine.ts STAT_NAMES lists them in the same order. */
export const enum Stat {
  SegmentsIn = 0, SegmentsOut, Retransmits, BadPackets, BadChecksum, NoConnection, RstOut,
  RstIn, SynDropped, TxFull, EventsDropped, FastRetransmits, Timeouts, OutOfOrder, ChallengeAcks,
  PawsRejected, IcmpIn, ConnectionsOpened, ConnectionsClosed, BytesIn, BytesOut, DupAcks,
  ZeroWindowProbes, KeepaliveProbes, TimeWaitRecycled, PmtuUpdates, RtoExpirations,
  Count,
}

/** Adds `n` to counter `s`. */
// @ts-ignore: decorator
@inline export function statAdd(s: Stat, n: u32 = 1): void {
  let p = statsBase + (<usize>s << 2);
  store<u32>(p, load<u32>(p) + n);
}
