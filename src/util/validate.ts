// Argument checks that throw Node's coded errors (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE).

/** An error with Node's `code` property. */
export type CodedError = Error & { code: string };

/** How Node prints a received value in these messages. */
function received(v: unknown): string {
  if (v === null || v === undefined) return ` Received ${String(v)}`;
  if (typeof v === 'function') return ` Received function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') return ` Received an instance of ${(v as object).constructor?.name ?? 'Object'}`;
  if (typeof v === 'string') return ` Received type string ('${v.length > 28 ? `${v.slice(0, 25)}...` : v}')`;
  return ` Received type ${typeof v} (${String(v)})`;
}

/** `name` must be of `type`: TypeError ERR_INVALID_ARG_TYPE. */
export function invalidType(name: string, type: string, value: unknown): CodedError {
  const what = name.includes('.') ? 'property' : 'argument';
  const err = new TypeError(`The "${name}" ${what} must be ${type}.${received(value)}`);
  return Object.assign(err, { code: 'ERR_INVALID_ARG_TYPE' });
}

/** `name` has a value that makes no sense here: TypeError ERR_INVALID_ARG_VALUE. */
export function invalidValue(name: string, value: unknown, reason = 'is invalid'): CodedError {
  const what = name.includes('.') ? 'property' : 'argument';
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  const err = new TypeError(`The ${what} '${name}' ${reason}. Received ${shown}`);
  return Object.assign(err, { code: 'ERR_INVALID_ARG_VALUE' });
}

/** `name` is outside `range`: RangeError ERR_OUT_OF_RANGE. */
export function outOfRange(name: string, range: string, value: unknown): CodedError {
  const err = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(value)}`);
  return Object.assign(err, { code: 'ERR_OUT_OF_RANGE' });
}

/** An integer in [min, max] (ERR_INVALID_ARG_TYPE for a non-number, ERR_OUT_OF_RANGE otherwise). */
export function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number') throw invalidType(name, 'of type number', v);
  if (!Number.isInteger(v) || v < min || v > max) throw outOfRange(name, `an integer >= ${min} && <= ${max}`, v);
  return v;
}

/** A plain options object (ERR_INVALID_ARG_TYPE otherwise). */
export function checkObject<T>(name: string, v: T): NonNullable<T> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidType(name, 'of type object', v);
  return v as NonNullable<T>;
}

/** Node's AbortError for an aborted `signal`. */
export function abortError(signal?: { reason?: unknown }): CodedError {
  const err = new Error('The operation was aborted', { cause: signal?.reason });
  err.name = 'AbortError';
  return Object.assign(err, { code: 'ABORT_ERR' });
}

/** An AbortSignal-like object, or undefined (ERR_INVALID_ARG_TYPE otherwise). */
export function checkSignal(name: string, v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || !('aborted' in v) || typeof (v as AbortSignal).addEventListener !== 'function') {
    throw invalidType(name, 'an instance of AbortSignal', v);
  }
  return v as AbortSignal;
}
