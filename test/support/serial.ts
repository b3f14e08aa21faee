// The guest's serial console (ttyS0) as text: wait for a line, run a shell command and read its output.
// Browser-safe (no Node built-ins), for the Node tests and a page alike.
import type { V86Emulator } from '../../src/v86/frames.js';

/** What the serial console of a v86 emulator needs besides listeners. */
export type SerialEmulator = V86Emulator & { serial0_send(text: string): void };

/** Terminal control sequences busybox ash writes around its prompt (e.g. ESC [6n, a cursor query). */
const CONTROL = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

interface Waiter {
  pattern: RegExp;
  from: number;
  resolve(m: RegExpExecArray): void;
}

export class SerialConsole {
  /** Everything the guest wrote, control sequences and CRs removed. */
  text = '';
  private raw = '';
  private waiters = new Set<Waiter>();
  private seq = 0;
  private last: Promise<unknown> = Promise.resolve();
  private readonly onByte = (b: number) => {
    this.raw += String.fromCharCode(b);
    // Strip once a sequence is complete; a half-received ESC sequence waits for its last byte.
    if (this.raw.length < 16 && this.raw.includes('\x1b') && !/\x1b\[[0-9;?]*[A-Za-z]/.test(this.raw)) return;
    this.text += this.raw.replace(CONTROL, '');
    this.raw = '';
    for (const w of this.waiters) {
      w.pattern.lastIndex = w.from;
      const m = w.pattern.exec(this.text);
      if (m) {
        this.waiters.delete(w);
        w.resolve(m);
      } else {
        w.from = Math.max(w.from, this.text.lastIndexOf('\n') + 1); // patterns match within a line
      }
    }
  };

  constructor(private readonly emulator: SerialEmulator) {
    emulator.add_listener('serial0-output-byte', this.onByte);
  }

  /** Resolves with the first match of `pattern` (within one line) at or after text offset `from` (default: anywhere). */
  waitFor(pattern: RegExp | string, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
    re.lastIndex = from;
    const now = re.exec(this.text);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pattern: re,
        from,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`serial console: no ${re} within ${timeoutMs} ms; last output:\n${this.text.slice(-600)}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /**
   * Runs `command` in the guest's shell and resolves with its output (stdout and stderr); rejects when
   * it exits non-zero or takes longer than `timeoutMs`. Commands run one after another.
   */
  sh(command: string, timeoutMs = 20_000): Promise<string> {
    const run = this.last.then(() => this.run(command, timeoutMs));
    this.last = run.catch(() => {});
    return run;
  }

  private async run(command: string, timeoutMs: number): Promise<string> {
    const n = ++this.seq;
    const from = this.text.length;
    // Markers around the output; the quotes keep the terminal's echo of this input from matching them.
    this.emulator.serial0_send(`echo "=@=""start-${n}"; { ${command}\n} 2>&1; echo "=@=""end-${n} $?"\n`);
    const start = await this.waitFor(`=@=start-${n}\n`, timeoutMs, from);
    const end = await this.waitFor(new RegExp(`=@=end-${n} (\\d+)\\n`), timeoutMs, start.index);
    const out = this.text.slice(start.index + start[0].length, end.index);
    if (end[1] !== '0') throw new Error(`guest: \`${command}\` exited ${end[1]}:\n${out}`);
    return out;
  }

  /** Stops listening. */
  close(): void {
    this.emulator.remove_listener('serial0-output-byte', this.onByte);
  }
}
