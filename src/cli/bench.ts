// `wasm-tcp bench`: WASM stacks over an in-memory link vs Node net over kernel loopback, side by side.
import { commandArgs } from './args.js';
import { formatTable, runThroughput } from '../../bench/throughput.js';

const HELP = `usage: wasm-tcp bench [--quick] [--json]

In one process and one run: two WASM stacks over an in-memory link (virtual clock) vs Node's
net over kernel loopback (127.0.0.1): bulk transfer at MSS 1460 and at a 64 KiB MTU, 1-byte
ping-pong round trips/s, connect+1 byte+close churn at 1 000 and 10 000 connections. A full run
(not --quick) adds the scaling table: ping-pong and bulk over 1, 100, 1 000 and 10 000 concurrent
connections in ns per packet with the engine memory, the largest table one engine lays out, and
the lossy workload: 1 GB one way over SimNetwork (5 ms each way, 10 % loss, 5 % reordering, 2 %
duplication, 1 % corruption) in virtual time, under the engine defaults and the Linux profile:
goodput, retransmissions, RTO expirations (a few minutes).

options:
  --quick     smaller workloads, one repetition (under 30 s)
  --json      print one object: { "bulk1460", "bulk64k", "pingpong", "churn1000", "churn10000" }
              each { "wasm", "node" } in bytes/s (bulk) or operations/s, plus "wasmBytes" and
              "connStateBytes" (exactly these keys with --quick; the parameters go to stderr);
              a full run adds "lossy": { "bytes", "mathis", "defaults", "linux" }, the last two
              { "goodput" (bytes/s), "retransmits", "rtoExpirations", "lossProbes",
              "virtualSeconds", "ok" }
  -h, --help  this text`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const values = commandArgs('bench', argv, { quick: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, HELP);
  if (typeof values === 'number') return values;
  let r;
  try {
    r = await runThroughput({ quick: values.quick, log: (l) => console.error(l) });
  } catch (err) {
    console.error(`wasm-tcp bench: ${(err as Error).message.replace(/^bench: /, '')}`);
    return 1;
  }
  const p = r.params;
  console.error(`params: quick ${p.quick}, bulk ${p.bulkBytes} bytes, ${p.pingpongRounds} ping-pong rounds, churn concurrency ${p.churnConcurrency}, node ${p.node}`);
  if (values.json) {
    const { bulk1460, bulk64k, pingpong, churn1000, churn10000, wasmBytes, connStateBytes, lossy } = r;
    const pair = (x: { wasm: number; node: number }) => ({ wasm: x.wasm, node: x.node });
    console.log(JSON.stringify({
      bulk1460: pair(bulk1460), bulk64k: pair(bulk64k), pingpong: pair(pingpong), churn1000: pair(churn1000),
      churn10000: pair(churn10000), wasmBytes, connStateBytes, ...(lossy ? { lossy } : {}),
    }));
  } else console.log(formatTable(r));
  return 0;
}
