// IPv4 address text <-> u32 (a<<24 | b<<16 | c<<8 | d), the engine's representation.

/** Parses a dotted quad ("10.0.0.1") to a u32; throws a TypeError with code ERR_INVALID_IP_ADDRESS on bad input. */
export function parseIPv4(text: string): number {
  const parts = typeof text === 'string' ? text.split('.') : [];
  if (parts.length !== 4) throw invalid(text);
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) throw invalid(text);
    const n = Number(p);
    if (n > 255) throw invalid(text);
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** Formats a u32 address as a dotted quad. */
export function formatIPv4(addr: number): string {
  return `${(addr >>> 24) & 255}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** True for a well-formed dotted quad. */
export function isIPv4(text: string): boolean {
  try {
    parseIPv4(text);
    return true;
  } catch {
    return false;
  }
}

/** Reads the source address of an IPv4 packet (no length check: callers check `length >= 20`). */
export function ipSrc(p: Uint8Array): number {
  return ((p[12] << 24) | (p[13] << 16) | (p[14] << 8) | p[15]) >>> 0;
}

/** Reads the destination address of an IPv4 packet (no length check: callers check `length >= 20`). */
export function ipDst(p: Uint8Array): number {
  return ((p[16] << 24) | (p[17] << 16) | (p[18] << 8) | p[19]) >>> 0;
}

function invalid(text: unknown): TypeError {
  const err = new TypeError(`Invalid IPv4 address: ${String(text)}`) as TypeError & { code: string };
  err.code = 'ERR_INVALID_IP_ADDRESS';
  return err;
}
