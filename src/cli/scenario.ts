// `wasm-tcp scenario NAME`: run one scenario on two real engines; print a ladder, JSON, and write pcap/HTML.
// With --kernel, the same case again with the Linux kernel's TCP as one host, both ladders and the differences.
import { writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { parseArgs } from 'node:util';
import { unmatchedSegments, type KernelComparison } from '../scenario/compare.js';
import { renderComparisonHtml, renderHtml } from '../scenario/html.js';
import { renderLadder } from '../scenario/ladder.js';
import { recordingToPcap } from '../scenario/pcap.js';
import { toJson, type HostName, type Recording } from '../scenario/recording.js';
import { kernelCase, kernelCaseConfig, runScenario, SCENARIOS } from '../scenario/scenarios.js';
import { argsErrorMessage, negativeValues } from './args.js';

const HELP = `usage: wasm-tcp scenario NAME [--seed N] [--json] [--pcap FILE] [--html FILE] [--loss P] [--kernel [client|server]]

Runs one scenario: two WASM TCP engines (client and server) over a simulated network on a
virtual clock. The output is a recording of what the engines really did.

  --seed N      seed of ISNs and network randomness (default 1); same seed, same run
  --json        print one JSON object instead of the ladder diagram
  --pcap FILE   write every packet seen on the wire (dropped ones too, as sent) as pcap
  --html FILE   write a self-contained HTML page with the SVG ladder diagram
  --loss P      random packet loss probability on the path, 0 <= P < 1 (e.g. 0.05 or 5%)
  --kernel [client|server]
                run the case a second time, in real time, with the Linux kernel's TCP as that
                host (default: the host the case is about) in a network namespace of its own;
                prints both ladders and what differs. Needs root and /dev/net/tun. Shortened
                kernel timers (sysctls) are given to our engines too, in both runs. --json
                prints {scenario, kernelRole, ours, kernel, differences}; --html shows both
                ladders side by side; --pcap holds the kernel run's packets.
  --color / --no-color   force ANSI colours on or off (default: on when stdout is a TTY)

Scenarios (\`wasm-tcp scenarios\` describes them):`;

const VALID_OPTIONS = '--seed N, --json, --pcap FILE, --html FILE, --loss P, --kernel [client|server], --color, --no-color, --help';

/** The command's options (parseArgs specs). */
const OPTIONS = {
  seed: { type: 'string' },
  json: { type: 'boolean' },
  pcap: { type: 'string' },
  html: { type: 'string' },
  loss: { type: 'string' },
  kernel: { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const usage = (msg: string): number => {
    console.error(`wasm-tcp scenario: ${msg}\nvalid scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}\n${HELP.split('\n')[0]} (--help for details)`);
    return 2;
  };
  // `--kernel` takes an optional role: `--kernel server`, `--kernel=server` or a bare `--kernel`.
  let role: HostName | undefined;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = /^--kernel=(.*)$/.exec(a);
    if (eq && !isRole(eq[1])) return usage(`--kernel takes client or server, got '${eq[1]}'`);
    if (eq) role = eq[1] as HostName;
    else if (a === '--kernel' && isRole(argv[i + 1])) role = argv[++i] as HostName;
    if (eq) {
      args.push('--kernel');
      continue;
    }
    args.push(a);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: negativeValues(args, OPTIONS),
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    // parseArgs explains at length; its first sentence is the message, the valid options follow.
    return usage(`${argsErrorMessage(err)}\nvalid options: ${VALID_OPTIONS}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(`${HELP}\n  ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 0;
  }
  if (values.kernel && positionals.length === 2 && SCENARIOS.some((x) => x.name === positionals[0])) return usage(`--kernel takes client or server, got '${positionals[1]}'`);
  if (positionals.length !== 1) return usage(positionals.length ? `expected one scenario name, got ${positionals.length}` : 'missing scenario name');
  const name = positionals[0];
  if (!SCENARIOS.some((s) => s.name === name)) return usage(`unknown scenario '${name}'`);
  const seed = values.seed === undefined ? 1 : parseSeed(values.seed);
  if (seed === undefined) return usage(`--seed must be an integer from 0 to 4294967295, got '${values.seed}'`);
  const loss = values.loss === undefined ? undefined : parseLoss(values.loss);
  if (values.loss !== undefined && loss === undefined) return usage(`--loss must be a probability 0 <= P < 1 (or a percentage like 5%), got '${values.loss}'`);
  if (values.pcap === '' || values.html === '') return usage('--pcap and --html need a file name');
  const color = values['no-color'] ? false : values.color ? true : !!process.stdout.isTTY && !process.env.NO_COLOR;
  if (values.kernel) return runWithKernel(name, { seed, loss, role }, { json: !!values.json, pcap: values.pcap, html: values.html, color });

  const rec = runScenario(name, { seed, loss });
  // Files first: a failed write ends the command with exit 1 before anything reaches stdout.
  if (!writeFiles([[values.pcap, () => recordingToPcap(rec), ` (${rec.packets?.length ?? 0} packets)`], [values.html, () => renderHtml(rec), '']])) return 1;
  if (values.json) console.log(JSON.stringify(toJson(rec)));
  else process.stdout.write(renderLadder(rec, { color }));
  return 0;
}

function isRole(s: string | undefined): boolean {
  return s === 'client' || s === 'server';
}

/** Writes each [file, content, note] with a file name; false (after one line on stderr) when one cannot be written. */
function writeFiles(files: [string | undefined, () => Uint8Array | string, string][]): boolean {
  for (const [file, content, what] of files) {
    if (!file) continue;
    try {
      writeFileSync(file, content());
    } catch (err) {
      console.error(`wasm-tcp scenario: cannot write: ${(err as Error).message}`);
      return false;
    }
    console.error(`wrote ${file}${what}`);
  }
  return true;
}

/** `--kernel`: both runs, then the files, then both ladders and the differences (or the JSON). */
async function runWithKernel(name: string, run: { seed: number; loss?: number; role?: HostName }, out: { json: boolean; pcap?: string; html?: string; color: boolean }): Promise<number> {
  // Node only, and heavy: loaded when asked for.
  const { kernelUnavailable, runKernelScenario } = await import('../scenario/kernel.js');
  const missing = await kernelUnavailable();
  if (missing) {
    console.error(`wasm-tcp scenario: --kernel: ${missing}`);
    return 1;
  }
  let c: KernelComparison;
  try {
    c = await runKernelScenario(name, run);
  } catch (err) {
    console.error(`wasm-tcp scenario: --kernel: ${(err as Error).message}`);
    return 1;
  }
  const kernelName = `Linux ${release()}`;
  const marks = unmatchedSegments(c.ours, c.kernel);
  const k = c.kernel;
  if (!writeFiles([[out.pcap, () => recordingToPcap(k), ` (${k.packets?.length ?? 0} packets, the run with Linux)`], [out.html, () => renderComparisonHtml(c, marks, kernelName), '']])) return 1;
  if (out.json) {
    console.log(JSON.stringify({ scenario: c.scenario, kernelRole: c.kernelRole, ours: toJson(c.ours), kernel: toJson(c.kernel), differences: c.differences }));
    return 0;
  }
  const settings = settingsText(name);
  const ladder = (r: Recording, subtitle: string, m: ReadonlySet<Recording['segments'][number]>) => renderLadder(r, { color: out.color, subtitle, marks: m });
  process.stdout.write(ladder(c.ours, `our engines on both hosts, virtual time${settings}`, marks.ours));
  process.stdout.write('\n');
  process.stdout.write(ladder(c.kernel, `${kernelName} as the ${c.kernelRole}, our engine as the ${c.kernelRole === 'client' ? 'server' : 'client'}, real time${settings}`, marks.kernel));
  process.stdout.write(`\n${differencesText(c)}`);
  return 0;
}

/** ` · net.ipv4.tcp_retries2=4 (our engines: dataRetries 4)` for a kernel case with sysctls, else ''. */
function settingsText(name: string): string {
  const k = kernelCase(name);
  if (!k.sysctls.length) return '';
  const engine = Object.entries(kernelCaseConfig(k)).map(([key, v]) => `${key} ${v}`).join(', ');
  return ` · ${k.sysctls.map(([key, v]) => `${key}=${v}`).join(' ')} (our engines: ${engine})`;
}

/** The differences, outcome ones first and marked `✗`; segments without a counterpart are marked `≠` in the ladders. */
function differencesText(c: KernelComparison): string {
  const outcome = c.differences.filter((d) => d.outcome);
  const other = c.differences.filter((d) => !d.outcome);
  const lines = [outcome.length ? `differences in outcome (${outcome.length}):` : 'same outcome: final states, errors, and who sends RST and FIN'];
  for (const d of outcome) lines.push(`  ✗ ${d.text}`);
  if (other.length) {
    lines.push(`other differences (${other.length}; ≠ marks segments without a counterpart in the other run):`);
    for (const d of other) lines.push(`  · ${d.text}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A u32 seed from decimal or 0x hex text, or undefined. */
export function parseSeed(s: string): number | undefined {
  if (!/^(\d+|0x[0-9a-f]+)$/i.test(s.trim())) return undefined;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
}

/** A loss probability from `0.05` or `5%`, or undefined when out of [0, 1). */
export function parseLoss(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(%?)\s*$/.exec(s);
  if (!m) return undefined;
  const p = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  return p >= 0 && p < 1 ? p : undefined;
}
