// Linux errno numbers ↔ Node error codes. The engine returns −errno; hosts throw errors with `.code`.

/** errno number → Node code. */
export const ERRNO_CODES: Readonly<Record<number, string>> = {
  9: 'EBADF', 11: 'EAGAIN', 16: 'EBUSY', 22: 'EINVAL', 24: 'EMFILE', 32: 'EPIPE', 92: 'ENOPROTOOPT',
  98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 101: 'ENETUNREACH', 104: 'ECONNRESET', 105: 'ENOBUFS',
  106: 'EISCONN', 107: 'ENOTCONN', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH',
  114: 'EALREADY', 115: 'EINPROGRESS',
};

/** Named errno values. */
export const Errno = {
  EBADF: 9, EAGAIN: 11, EBUSY: 16, EINVAL: 22, EMFILE: 24, EPIPE: 32, ENOPROTOOPT: 92, EADDRINUSE: 98,
  EADDRNOTAVAIL: 99, ENETUNREACH: 101, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107,
  ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
} as const;

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
