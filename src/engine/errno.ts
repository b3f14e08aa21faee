// Linux errno numbers ↔ Node error codes. The engine returns −errno; hosts throw errors with `.code`.

import { ERRNO_CODES, Errno } from './abi.js';

export { ERRNO_CODES, Errno } from './abi.js';

/** Node code for an errno number (positive or negative); `null` for 0; `E<n>` when unknown. */
export function errnoCode(n: number): string | null {
  if (n === 0) return null;
  const k = Math.abs(n);
  return ERRNO_CODES[k] ?? `E${k}`;
}

/** errno number for a Node code, or undefined. */
export function errnoNumber(code: string): number | undefined {
  return (Errno as Record<string, number>)[code];
}

/** Error with a Node-style `code` and `errno` (negative, as libuv reports it). */
export class EngineError extends Error {
  readonly code: string;
  readonly errno: number;
  constructor(n: number, syscall?: string) {
    const code = errnoCode(n) ?? 'EUNKNOWN';
    super(syscall ? `${syscall} ${code}` : code);
    this.code = code;
    this.errno = -Math.abs(n);
  }
}
