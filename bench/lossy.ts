// The lossy workload (issue 16): 1 GB one way between two WASM stacks over SimNetwork on the virtual
// clock, 5 ms each way, 10 % loss, 5 % reordering, 2 % duplication, 1 % corruption. What counts is
// virtual-time goodput against the Mathis estimate, and how much of the repair the RTO does.
import { LINUX_PROFILE } from '../src/engine/config.js';
import type { EngineConfig } from '../src/engine/engine.js';
import { Transfer } from '../src/scenario/transfer.js';

/** One run of the lossy workload. */
export interface LossyRun {
  /** Payload bytes per virtual second, from connect until the server had them all. */
  goodput: number;
  /** Segments the sender sent again (timeout, fast retransmit, recovery, probes). */
  retransmits: number;
  /** Retransmission timer expirations of the sender. */
  rtoExpirations: number;
  /** Tail loss probes of the sender. */
  lossProbes: number;
  /** Virtual time from connect to both sides closed. */
  virtualSeconds: number;
  /** Arrived complete and bit-exact (sha256), both sides closed without error. */
  ok: boolean;
}

/** The workload under the engine defaults and under the Linux profile. */
export interface LossyResult {
  bytes: number;
  /** Mathis et al. (1997): MSS / RTT · √(3/2) / √p, in bytes/s, for this network. */
  mathis: number;
  defaults: LossyRun;
  linux: LossyRun;
}

export const LOSSY_NETWORK = { delay: 5, loss: 0.1, reorder: 0.05, duplicate: 0.02, corrupt: 0.01 } as const;

/** One run of the workload (`bytes` one way) under `config` (engine defaults overridden). */
export function runLossyOnce(bytes: number, config: Partial<EngineConfig>): LossyRun {
  const t = new Transfer({ bytes, serverBytes: 0, seed: 1, config, ...LOSSY_NETWORK });
  t.clock.runUntil(() => t.settled, { timeout: 86_400_000 });
  const r = t.result();
  const s = t.client.engine.stats;
  return {
    goodput: bytes / (t.deliveredMs / 1000), retransmits: s.retransmits, rtoExpirations: s.rtoExpirations,
    lossProbes: s.lossProbes, virtualSeconds: r.virtualSeconds, ok: r.ok,
  };
}

/** Runs the workload (`bytes` one way, 1 GB by default) under both configurations. */
export function runLossy(bytes = 1e9, log: (line: string) => void = () => undefined): LossyResult {
  const mss = 1448; // 1460 less the timestamp option
  const mathis = (mss / (2 * LOSSY_NETWORK.delay / 1000)) * Math.sqrt(1.5) / Math.sqrt(LOSSY_NETWORK.loss);
  log(`lossy: ${bytes} bytes one way, engine defaults`);
  const defaults = runLossyOnce(bytes, {});
  log(`lossy: ${bytes} bytes one way, Linux profile`);
  const linux = runLossyOnce(bytes, { ...LINUX_PROFILE, maxConnections: 4 });
  return { bytes, mathis, defaults, linux };
}

/** The lossy workload as Markdown rows. */
export function formatLossy(r: LossyResult): string {
  const kB = (x: number) => `${(x / 1000).toFixed(0)} kB/s`;
  const out = [
    `lossy: ${r.bytes} bytes one way over SimNetwork, 5 ms each way, 10 % loss, 5 % reordering, 2 % duplication, 1 % corruption (virtual time; Mathis estimate ${kB(r.mathis)})`,
    '',
    '| config | goodput | ÷ Mathis | retransmissions | RTO expirations | RTOs ÷ retransmissions | loss probes | bit-exact |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const [name, x] of [['engine defaults', r.defaults], ['Linux profile', r.linux]] as const) {
    out.push(`| ${name} | ${kB(x.goodput)} | ${(x.goodput / r.mathis).toFixed(2)} | ${x.retransmits} | ${x.rtoExpirations} | ${(x.rtoExpirations / Math.max(1, x.retransmits)).toFixed(3)} | ${x.lossProbes} | ${x.ok ? 'yes' : 'NO'} |`);
  }
  return out.join('\n');
}
