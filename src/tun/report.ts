// Output of `tun` modes: one human line per event on stdout, or one JSON object per line with --json.

/** Field values a report line may carry. */
export type Fields = Record<string, string | number | boolean | undefined>;

/** Writes results to stdout and diagnostics to stderr. */
export class Reporter {
  /** `json` selects JSON lines instead of human text; `toStderr` moves results off stdout (when it carries data). */
  constructor(readonly json: boolean, private readonly toStderr = false) {}

  /** Reports one event; `human` is the text form, `fields` the JSON form (plus `event`). */
  line(event: string, fields: Fields, human: string): void {
    const text = this.json ? JSON.stringify({ event, ...fields }) : human;
    (this.toStderr ? process.stderr : process.stdout).write(`${text}\n`);
  }

  /** A diagnostic on stderr. */
  note(message: string): void {
    process.stderr.write(`${message}\n`);
  }
}
