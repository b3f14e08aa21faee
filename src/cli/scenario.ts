// `wasm-tcp scenario NAME`: run one scenario on two real engines; print a ladder, JSON, and write pcap/HTML.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderHtml } from '../scenario/html.js';
import { renderLadder } from '../scenario/ladder.js';
import { recordingToPcap } from '../scenario/pcap.js';
import { toJson } from '../scenario/recording.js';
import { runScenario, SCENARIOS } from '../scenario/scenarios.js';
import { argsErrorMessage } from './args.js';

const HELP = `usage: wasm-tcp scenario NAME [--seed N] [--json] [--pcap FILE] [--html FILE] [--loss P]

Runs one scenario: two WASM TCP engines (client and server) over a simulated network on a
virtual clock. The output is a recording of what the engines really did.

  --seed N      seed of ISNs and network randomness (default 1); same seed, same run
  --json        print one JSON object instead of the ladder diagram
  --pcap FILE   write every packet seen on the wire (dropped ones too, as sent) as pcap
  --html FILE   write a self-contained HTML page with the SVG ladder diagram
  --loss P      random packet loss probability on the path, 0 <= P < 1 (e.g. 0.05 or 5%)
  --color / --no-color   force ANSI colours on or off (default: on when stdout is a TTY)

Scenarios (\`wasm-tcp scenarios\` describes them):`;

const OPTIONS = '--seed N, --json, --pcap FILE, --html FILE, --loss P, --color, --no-color, --help';

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const usage = (msg: string): number => {
    console.error(`wasm-tcp scenario: ${msg}\nvalid scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}\n${HELP.split('\n')[0]} (--help for details)`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        seed: { type: 'string' },
        json: { type: 'boolean' },
        pcap: { type: 'string' },
        html: { type: 'string' },
        loss: { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    // parseArgs explains at length; its first sentence is the message, the valid options follow.
    return usage(`${argsErrorMessage(err)}\nvalid options: ${OPTIONS}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(`${HELP}\n  ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 0;
  }
  if (positionals.length !== 1) return usage(positionals.length ? `expected one scenario name, got ${positionals.length}` : 'missing scenario name');
  const name = positionals[0];
  if (!SCENARIOS.some((s) => s.name === name)) return usage(`unknown scenario '${name}'`);
  const seed = values.seed === undefined ? 1 : parseSeed(values.seed);
  if (seed === undefined) return usage(`--seed must be an integer from 0 to 4294967295, got '${values.seed}'`);
  const loss = values.loss === undefined ? undefined : parseLoss(values.loss);
  if (values.loss !== undefined && loss === undefined) return usage(`--loss must be a probability 0 <= P < 1 (or a percentage like 5%), got '${values.loss}'`);
  if (values.pcap === '' || values.html === '') return usage('--pcap and --html need a file name');

  const rec = runScenario(name, { seed, loss });
  // Files first: a failed write ends the command with exit 1 before anything reaches stdout.
  const files: [string | undefined, () => Uint8Array | string, string][] = [
    [values.pcap, () => recordingToPcap(rec), ` (${rec.packets?.length ?? 0} packets)`],
    [values.html, () => renderHtml(rec), ''],
  ];
  for (const [file, content, what] of files) {
    if (!file) continue;
    try {
      writeFileSync(file, content());
    } catch (err) {
      console.error(`wasm-tcp scenario: cannot write: ${(err as Error).message}`);
      return 1;
    }
    console.error(`wrote ${file}${what}`);
  }
  if (values.json) console.log(JSON.stringify(toJson(rec)));
  else {
    const color = values['no-color'] ? false : values.color ? true : !!process.stdout.isTTY && !process.env.NO_COLOR;
    process.stdout.write(renderLadder(rec, { color }));
  }
  return 0;
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
