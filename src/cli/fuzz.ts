// `wasm-tcp fuzz`: the structured fuzzer of src/fuzz/ against the test build of the engine.
import { FuzzFailure, runFuzz, type FuzzReport } from '../fuzz/run.js';
import { testBuildModule } from '../fuzz/testbuild.js';
import { commandArgs } from './args.js';
import { parseSeed } from './scenario.js';

const HELP = `usage: wasm-tcp fuzz [--packets N] [--seed S] [--json]

Three engines of the test build (Linux-like, RFC defaults, no options; small tables and rings)
with listeners and applications that connect, send and read both ways, pause, half-close,
close, abort and release at random, over a wire with per-pair delays (0 ms between two of them)
and 1 % loss. Into that traffic it injects structured mutants of the engines' own captured
segments (flags, sequence and acknowledgment numbers near the windows, windows, options,
payload lengths, ports, directions, data offsets, header fields, truncations, ICMP errors quoting
them) with their checksums recomputed so they reach the state machine, and random packets,
interleaved with clock advances from microseconds to minutes.

After every step: no WASM trap, no JS exception, no livelock (more than 200 000 packets at one
instant), no memory growth, and the engine's self-check passes (testSelfCheck: every table
invariant). At the end every table drains to empty and a fresh 1 MB transfer each way is
bit-exact. Exit 0 when all of that holds, 1 on a defect (described on stderr with the step and
the packet that preceded it), 2 on bad usage. The same seed gives the same run.

options:
  --packets N   packets to inject; suffixes k M (10^3) (default 1M)
  --seed S      seed, decimal or 0x hex (default 1)
  --json        print one JSON object: { "packets", "seed", "mutants", "random", "reached":
                { STATE: count }, "actions", "advances", "delivered", "virtualSeconds",
                "wallSeconds", "packetsPerSecond", "transferOk" }; reached counts the injected
                packets that got past the checksum and header checks, by the state whose input
                code took them (CLOSED: no connection and no listener)
  -h, --help    this text`;

const OPTIONS = {
  packets: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

/** A packet count with an optional k or M suffix, or undefined. */
export function parseCount(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|M)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Math.round(Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1));
  return Number.isSafeInteger(n) && n >= 1 && n <= 1e12 ? n : undefined;
}

/** The report as text lines. */
export function formatReport(r: FuzzReport): string {
  const reached = Object.entries(r.reached).map(([s, n]) => `${s} ${n}`).join(', ');
  return [
    `fuzz: ${r.packets} packets (seed ${r.seed}) in ${r.wallSeconds.toFixed(1)} s: ${r.packetsPerSecond} packets/s`,
    `  ${r.mutants} mutants of captured segments, ${r.random} random packets; ${r.actions} application actions, ${r.advances} clock advances`,
    `  ${r.delivered} packets carried between the engines, ${r.virtualSeconds.toFixed(0)} s of virtual time`,
    `  reached the input code of: ${reached}`,
    '  self-check after every step: passed; memory never grew; tables drained to empty',
    `  fresh 1 MB transfer each way afterwards: ${r.transferOk ? 'bit-exact' : 'NOT bit-exact'}`,
  ].join('\n');
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const values = commandArgs('fuzz', argv, OPTIONS, HELP);
  if (typeof values === 'number') return values;
  const packets = values.packets === undefined ? 1e6 : parseCount(values.packets);
  if (packets === undefined) {
    console.error(`wasm-tcp fuzz: --packets: expected a count of 1 or more like 200000 or 10M, got '${values.packets}'`);
    return 2;
  }
  const seed = values.seed === undefined ? 1 : parseSeed(values.seed);
  if (seed === undefined) {
    console.error(`wasm-tcp fuzz: --seed: expected an integer 0..4294967295 (decimal or 0x hex), got '${values.seed}'`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  const t0 = performance.now();
  const progress = tty
    ? (done: number) => process.stderr.write(`\rfuzz: ${done} / ${packets} packets, ${Math.round(done / ((performance.now() - t0) / 1000))} packets/s\x1b[K`)
    : undefined;
  let report: FuzzReport;
  try {
    report = runFuzz({ packets, seed, module: testBuildModule(), progress });
  } catch (err) {
    if (tty) process.stderr.write('\r\x1b[K');
    if (!(err instanceof FuzzFailure)) throw err;
    console.error(`wasm-tcp fuzz: DEFECT at step ${err.step} (seed ${seed}): ${err.message}`);
    if (err.packet) console.error(`  the packet injected before it (${err.packet.length} bytes): ${hex(err.packet)}`);
    console.error(`  reproduce: wasm-tcp fuzz --packets ${packets} --seed ${seed}`);
    return 1;
  }
  if (tty) process.stderr.write('\r\x1b[K');
  console.log(values.json ? JSON.stringify(report) : formatReport(report));
  return 0;
}
