// Shared by the commands: parsing a command's options, parseArgs errors as one short line.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * The message of a `node:util` parseArgs error as one line: its first sentence (Node appends a
 * long hint about positionals starting with '-'), or "--opt needs a value" for an option given
 * without one.
 */
export function argsErrorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const opt = /'(--?[\w-]+)/.exec(text)?.[1];
  if (/ambiguous/.test(text) && opt) return `${opt} needs a value (write ${opt}=VALUE for one starting with '-')`;
  return text.split(/\.(?: |\n|$)/)[0].replace(/\s*\n\s*/g, ' ');
}

/** parseArgs option specs, as far as negativeValues() needs them. */
type OptionSpecs = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

/**
 * Joins `--opt -5` into `--opt=-5` for options that take a value, so a negative number reaches the
 * command's own check (and its one-line message) instead of parseArgs' "argument is ambiguous".
 */
export function negativeValues(argv: readonly string[], options: OptionSpecs): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : a.length === 2 && a[0] === '-' ? Object.keys(options).find((k) => options[k].short === a[1]) : undefined;
    if (name !== undefined && !a.includes('=') && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A command's parseArgs option specs. */
type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses the options of `wasm-tcp <command>` (strict, no positionals; negative numbers reach the
 * command's own checks). Prints `help` for --help, or a usage error as one line; returns the parsed
 * values, or the exit code when the command is done (0 after --help, 2 on a usage error).
 */
export function commandArgs<const O extends CommandOptions>(command: string, argv: readonly string[], options: O, help: string) {
  let values;
  try {
    ({ values } = parseArgs({ args: negativeValues(argv, options), options, strict: true, allowPositionals: false }));
  } catch (err) {
    console.error(`wasm-tcp ${command}: ${argsErrorMessage(err)} (see wasm-tcp ${command} --help)`);
    return 2;
  }
  if ((values as { help?: boolean }).help) {
    console.log(help);
    return 0;
  }
  return values;
}
