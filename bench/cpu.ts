// CPU time of the WASM workloads alone (no Node `net` side, no lwIP): `process.cpuUsage()` around one
// run, so a loaded machine's waits do not count. For before/after comparisons of two trees, bundle it
// in each and run the bundles alternately (bench/RESULTS.md gives the commands).
// Usage: node build/bench-cpu.mjs [pp|churn|bulk|bulk64k|all] (after a warm-up of both connection workloads); prints one JSON line (round trips/s,
// connections/s, Gbit/s of CPU time).
import { MSS_64K, wasmBulk, wasmChurn, wasmPingPong } from './throughput.js';

function cpuSeconds(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const which = process.argv[2] ?? 'all';
if (!['pp', 'churn', 'bulk', 'bulk64k', 'all'].includes(which)) {
  console.error(`bench/cpu: unknown workload '${which}' (pp, churn, bulk, bulk64k or all)`);
  process.exit(2);
}
// Warm up first, as `wasm-tcp bench` does: V8 needs several runs of the connection paths, and the
// engine's functions reach the optimizing tier only once hot (compiled on other threads, whose CPU
// time would count in a cold measurement).
for (let i = 0; i < 3; i++) wasmPingPong(20_000);
for (let i = 0; i < 8; i++) wasmChurn(1000);
if (which === 'all' || which === 'bulk') wasmBulk(16e6, 1460);
if (which === 'all' || which === 'bulk64k') wasmBulk(64e6, MSS_64K);
const out: Record<string, number> = {};
if (which === 'all' || which === 'pp') out.pp = 300_000 / cpuSeconds(() => wasmPingPong(300_000));
if (which === 'all' || which === 'churn') out.churn = 10_000 / cpuSeconds(() => wasmChurn(10_000));
if (which === 'all' || which === 'bulk') out.bulk = (256e6 * 8) / cpuSeconds(() => wasmBulk(256e6, 1460)) / 1e9;
if (which === 'all' || which === 'bulk64k') out.bulk64k = (1024e6 * 8) / cpuSeconds(() => wasmBulk(1024e6, MSS_64K)) / 1e9;
console.log(JSON.stringify(out));
