// `wasm-tcp bench`: WASM stacks over an in-memory link vs Node net over kernel loopback, side by side.
import { parseArgs } from 'node:util';
import { formatTable, runThroughput } from '../../bench/throughput.js';

const HELP = `usage: wasm-tcp bench [--quick] [--json]

In one process and one run: two WASM stacks over an in-memory link (virtual clock) vs Node's
net over kernel loopback (127.0.0.1): bulk transfer at MSS 1460 and at a 64 KiB MTU, 1-byte
ping-pong round trips/s, connect+1 byte+close churn at 1 000 and 10 000 connections.

options:
  --quick     smaller workloads, one repetition (under 30 s)
  --json      print one object: { "bulk1460", "bulk64k", "pingpong", "churn1000", "churn10000" }
              each { "wasm", "node" } in bytes/s (bulk) or operations/s, plus "wasmBytes" and
              "connStateBytes"
  -h, --help  this text`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    console.error(`wasm-tcp bench: ${(err as Error).message}\nRun 'wasm-tcp bench --help' for usage.`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const r = await runThroughput({ quick: values.quick, log: (l) => console.error(l) });
  if (values.json) {
    const { params: _p, ...rest } = r;
    console.log(JSON.stringify({ ...rest, params: r.params }));
  } else console.log(formatTable(r));
  return 0;
}
