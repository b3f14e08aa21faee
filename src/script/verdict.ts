// Verdicts of a script run and the evaluation of syscall arguments.
import { ERRNO, SYMBOLS, errnoName } from './constants.js';
import type { Expr, SyscallEvent } from './model.js';

/** Ends a run: FAIL (a mismatch) or SKIP (a construct deliberately not supported). */
export class Verdict extends Error {
  constructor(readonly verdict: 'FAIL' | 'SKIP', readonly line: number, message: string) {
    super(message);
  }
}

/** A system call's outcome: its value (≥ 0 or −errno), or a retry function while it blocks. */
export type CallResult = { value: number } | { block: () => number | null };

/** A return value as packetdrill writes it: `-1 ERRNO` or the number. */
export function fmtResult(r: number): string {
  return r < 0 ? `-1 ${errnoName(-r)}` : String(r);
}

/** Evaluates an argument or result to a number (symbols, `|`, `[N]`, `htons()`). */
export function evalNum(e: Expr, ev: SyscallEvent): number {
  switch (e.kind) {
    case 'number': return e.value;
    case 'symbol': {
      const v = SYMBOLS[e.name] ?? ERRNO[e.name];
      if (v === undefined) throw new Verdict('SKIP', ev.line, `unknown constant ${e.name}`);
      return v;
    }
    case 'or': return e.terms.reduce((a, t) => a | evalNum(t, ev), 0);
    case 'list': return e.items.length === 1 ? evalNum(e.items[0], ev) : NaN;
    case 'call':
      if (e.name === 'htons' && e.args.length === 1) return evalNum(e.args[0], ev);
      throw new Verdict('SKIP', ev.line, `function ${e.name}() in arguments is not supported`);
    default: return NaN;
  }
}
