// Ethernet MAC addresses as text ('02:00:00:00:00:01') and as 48-bit numbers (the engine's form).

/** Parses 'xx:xx:xx:xx:xx:xx' (':' or '-' between the bytes) to a 48-bit number, or returns undefined. */
export function parseMac(text: string): number | undefined {
  const m = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (const i of [1, 3, 4, 5, 6, 7]) v = v * 256 + parseInt(m[i], 16);
  return v;
}

/** Formats a 48-bit number as 'xx:xx:xx:xx:xx:xx' (lower case). */
export function formatMac(mac: number): string {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push((Math.floor(mac / 2 ** (8 * i)) & 0xff).toString(16).padStart(2, '0'));
  return out.join(':');
}

/** The MAC of 6 bytes at `b[at]` as a 48-bit number. */
export function macAt(b: Uint8Array, at: number): number {
  return ((b[at] << 8) | b[at + 1]) * 0x100000000 + (((b[at + 2] << 24) | (b[at + 3] << 16) | (b[at + 4] << 8) | b[at + 5]) >>> 0);
}

/** True for a group (multicast or broadcast) address: the low bit of the first byte. */
export function isGroupMac(mac: number): boolean {
  return Math.floor(mac / 0x10000000000) % 2 === 1;
}
