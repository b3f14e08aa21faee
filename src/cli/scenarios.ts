// `wasm-tcp scenarios`: list the failure scenarios with a one-line description.
import { parseArgs } from 'node:util';
import { SCENARIOS } from '../scenario/scenarios.js';

const HELP = `usage: wasm-tcp scenarios [--json]

Lists the scenarios \`wasm-tcp scenario NAME\` can run, one per line.
  --json   one JSON array of { "name", "description" }`;

/** Prints the scenario list; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  let values: { json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    console.error(`wasm-tcp scenarios: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.json) {
    console.log(JSON.stringify(SCENARIOS.map((s) => ({ name: s.name, description: s.description }))));
    return 0;
  }
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(width)}  ${s.description}`);
  return 0;
}
