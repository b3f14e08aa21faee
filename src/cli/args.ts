// Shared by the commands: parseArgs errors as one short line.

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
