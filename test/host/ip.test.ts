import { expect, it } from 'vitest';
import { parseIPv4, formatIPv4 } from '../../src/util/ip.js';
it('parses and formats dotted quads, rejecting malformed ones', () => {
  for (const ok of ['0.0.0.0', '10.0.0.1', '255.255.255.255', '192.168.0.1']) expect(formatIPv4(parseIPv4(ok))).toBe(ok);
  expect(parseIPv4('192.168.0.1')).toBe(0xc0a80001);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', 'a.b.c.d', '1.2.3.4 ', '-1.2.3.4', '1.2.3.']) expect(() => parseIPv4(bad), bad).toThrow(/Invalid IPv4/);
});
