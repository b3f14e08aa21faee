// `wasm-tcp script FILE... [--profile linux|default] [--verbose] [--json]`: run packetdrill scripts.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createScriptEngine, ENGINE_CONFIG_KEYS } from '../script/engine.js';
import { createKernelEngine, type KernelEngine } from '../script/kernel.js';
import { runScriptText, type EngineFactory, type ScriptResult } from '../script/runner.js';
import { formatIPv4 } from '../util/ip.js';
import { argsErrorMessage, negativeValues } from './args.js';

const HELP = `usage: wasm-tcp script FILE... [--profile linux|default] [--tolerance-usecs N] [--ignore-psh] [--kernel] [--verbose] [--json]

Runs packetdrill scripts against a fresh engine each, on a virtual clock (local 192.168.0.1,
remote 192.0.2.1, port 8080). Prints PASS, FAIL (line, expected vs actual) or SKIP (reason)
per script and a final "N passed, N failed, N skipped" line; exits 1 if any script failed.

  --profile linux     make the engine choose what Linux chooses (also loaded by a defaults.sh init command)
  --profile default   the engine's own defaults (the default)
  --tolerance-usecs N override every script's --tolerance_usecs
  --ignore-psh        do not compare PSH on outbound lines (Linux places it by its skb layout)
  --kernel            run against the Linux kernel's own TCP instead (root: a network namespace
                      and a TUN device per script, wall-clock time, the profile's sysctls)
  --verbose           print each event and every packet the engine sends
  --json              one JSON object per script, then a summary object`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    const options = {
      profile: { type: 'string', default: 'default' },
      verbose: { type: 'boolean', short: 'v', default: false },
      json: { type: 'boolean', default: false },
      kernel: { type: 'boolean', default: false },
      'ignore-psh': { type: 'boolean', default: false },
      'tolerance-usecs': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    } as const;
    args = parseArgs({ args: negativeValues(argv, options), allowPositionals: true, options });
  } catch (e) {
    console.error(`wasm-tcp script: ${argsErrorMessage(e)} (see wasm-tcp script --help)`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const profile = values.profile;
  if (profile !== 'linux' && profile !== 'default') {
    console.error(`wasm-tcp script: --profile must be linux or default, not '${profile}'`);
    return 2;
  }
  let tolerance: number | undefined;
  if (values['tolerance-usecs'] !== undefined) {
    tolerance = Number(values['tolerance-usecs']);
    if (!Number.isInteger(tolerance) || tolerance < 0) {
      console.error('wasm-tcp script: --tolerance-usecs must be a non-negative integer');
      return 2;
    }
  }
  if (positionals.length === 0) {
    console.error(`wasm-tcp script: no script given\n\n${HELP}`);
    return 2;
  }
  const counts = { PASS: 0, FAIL: 0, SKIP: 0 };
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      console.error(`wasm-tcp script: cannot read ${file}: ${err.code ?? err.message}`);
      return 1; // a missing input file is a failure (1), as in every command
    }
    const log = values.verbose && !values.json ? (l: string) => console.log(`  ${l}`) : undefined;
    if (log) console.log(`${file}:`);
    let r: ScriptResult;
    let kernel: KernelEngine | undefined;
    const factory: EngineFactory = values.kernel
      ? (o) => (kernel = createKernelEngine({ local: formatIPv4(o.addr), remote: formatIPv4(o.remote), sysctls: o.sysctls }))
      : createScriptEngine;
    try {
      r = runScriptText(text, factory, { profile, toleranceUsecs: tolerance, log, configKeys: values.kernel ? undefined : ENGINE_CONFIG_KEYS, ignorePsh: values['ignore-psh'] });
    } catch (e) {
      r = { verdict: 'FAIL', message: `runner error: ${(e as Error).message}`, notes: [] };
    } finally {
      kernel?.dispose();
    }
    counts[r.verdict]++;
    if (values.json) {
      console.log(JSON.stringify({ file, verdict: r.verdict, line: r.line ?? null, message: r.message ?? null, notes: r.notes }));
    } else {
      const where = r.line !== undefined ? `:${r.line}` : '';
      console.log(`${r.verdict} ${file}${r.verdict === 'PASS' ? '' : where}${r.message ? ` ${indent(r.message)}` : ''}`);
      if (values.verbose) for (const n of r.notes) console.log(`  note: ${n}`);
    }
  }
  if (values.json) console.log(JSON.stringify({ passed: counts.PASS, failed: counts.FAIL, skipped: counts.SKIP }));
  else console.log(`${counts.PASS} passed, ${counts.FAIL} failed, ${counts.SKIP} skipped`);
  return counts.FAIL > 0 ? 1 : 0;
}

function indent(msg: string): string {
  return msg.split('\n').join('\n    ');
}
