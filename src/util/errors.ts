// Errors shaped like Node's system errors: err.code 'ECONNRESET', err.errno, err.syscall, address, port.
import { errnoCode } from '../engine/errno.js';

/** A Node-style system error. */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

/** Builds an error like Node's (`connect ECONNREFUSED 10.0.0.2:80`) from a negative or positive errno. */
export function systemError(errno: number, syscall: string, address?: string, port?: number): SystemError {
  const code = errnoCode(errno) ?? 'EUNKNOWN';
  const where = address !== undefined ? ` ${address}${port !== undefined ? `:${port}` : ''}` : '';
  const err = new Error(`${syscall} ${code}${where}`) as SystemError;
  err.code = code;
  err.errno = -Math.abs(errno);
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  return err;
}
