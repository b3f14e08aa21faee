// Pure parts of `tun` (no root needed): the HTTP response parser, URL and address parsing.
import { describe, expect, it } from 'vitest';
import { HttpError, HttpResponseParser } from '../../src/tun/http.js';
import { parseGetUrl } from '../../src/tun/modes/get.js';
import { inSubnet, parseCidr, parseIPv4 } from '../../src/tun/addr.js';
import { describe as describePacket } from '../../src/tun/modes/dump.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Feeds `text` in pieces of `step` bytes; returns the parser and the body as text. */
function feed(text: string, step: number, eof = false): { p: HttpResponseParser; body: string } {
  const parts: Uint8Array[] = [];
  const p = new HttpResponseParser((c) => parts.push(c.slice()));
  const bytes = enc(text);
  for (let i = 0; i < bytes.length; i += step) p.push(bytes.subarray(i, i + step));
  if (eof) p.end();
  return { p, body: new TextDecoder().decode(Buffer.concat(parts)) };
}

describe('HttpResponseParser', () => {
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\nEXTRA';
  for (const step of [1, 2, 7, 1000]) {
    it(`de-chunks a body fed ${step} byte(s) at a time, ignoring extensions, trailers and what follows`, () => {
      const { p, body } = feed(chunked, step);
      expect(p.complete).toBe(true);
      expect(p.status).toBe(200);
      expect(body).toBe('hello 0123456789');
      expect(p.bodyBytes).toBe(16);
    });
  }

  it('stops at Content-Length and keeps header values', () => {
    const { p, body } = feed('HTTP/1.0 404 Not Found\r\nContent-Length: 3\r\nX-A: 1\r\nx-a: 2\r\n\r\nabcdef', 4);
    expect(p.complete).toBe(true);
    expect([p.status, p.reason, body, p.headers['x-a']]).toEqual([404, 'Not Found', 'abc', '1, 2']);
  });

  it('skips an interim 100 Continue, and reads a close-delimited body until end()', () => {
    const { p, body } = feed('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nall of it', 3, true);
    expect(p.complete).toBe(true);
    expect(body).toBe('all of it');
  });

  it('knows 204 has no body', () => {
    expect(feed('HTTP/1.1 204 No Content\r\n\r\n', 5).p.complete).toBe(true);
  });

  it('reports truncation and malformed input as HttpError', () => {
    expect(() => feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 100, true)).toThrow(/truncated after 3 bytes/);
    expect(() => feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 100)).toThrow(HttpError);
    expect(() => feed('SSH-2.0-OpenSSH\r\n\r\n', 100)).toThrow(/not an HTTP\/1.x status line/);
    expect(() => feed('', 1, true)).toThrow(/before the response head/);
    expect(() => feed('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 100)).toThrow(/bad content-length/);
  });
});

describe('tun argument parsing', () => {
  it('accepts http://IPv4[:port]/path only', () => {
    expect(parseGetUrl('http://10.0.0.1:8000/a/b?c=d')).toEqual({ host: '10.0.0.1', port: 8000, path: '/a/b?c=d', hostHeader: '10.0.0.1:8000' });
    expect(parseGetUrl('http://10.0.0.1')).toEqual({ host: '10.0.0.1', port: 80, path: '/', hostHeader: '10.0.0.1' });
    expect(parseGetUrl('https://10.0.0.1/')).toMatch(/only http/);
    expect(parseGetUrl('http://example.com/')).toMatch(/IPv4 address/);
    expect(parseGetUrl('nonsense')).toMatch(/invalid URL/);
  });

  it('parses addresses and prefixes', () => {
    expect(parseIPv4('10.77.0.2')).toBe(0x0a4d0002);
    expect(parseIPv4('256.0.0.1')).toBeUndefined();
    expect(parseCidr('10.77.0.1/24')).toEqual({ addr: 0x0a4d0001, prefix: 24 });
    expect(parseCidr('10.77.0.1/33')).toBeUndefined();
    expect(inSubnet(0x0a4d00fe, { addr: 0x0a4d0001, prefix: 24 })).toBe(true);
    expect(inSubnet(0x0a4e0001, { addr: 0x0a4d0001, prefix: 24 })).toBe(false);
  });
});

describe('dump packet summaries', () => {
  // A Linux SYN captured through the bridge: 10.77.0.1:53964 -> 10.77.0.2:7, MSS/SACK/TS/wscale options.
  const syn = Buffer.from('4500003ceea74000400637780a4d00010a4d0002d2cc00077826645f00000000a002faf04e740000020405b40402080a67f8d2a9000000000103030a', 'hex');

  it('names addresses, ports and flags, and verifies both checksums', () => {
    expect(describePacket(syn)).toEqual({ src: '10.77.0.1.53964', dst: '10.77.0.2.7', proto: 6, len: 60, flags: 'S', checksum: 'ok' });
  });

  it('notices a flipped bit in the TCP or the IP header', () => {
    const tcp = Buffer.from(syn);
    tcp[45] ^= 1;
    expect(describePacket(tcp).checksum).toBe('bad');
    const ip = Buffer.from(syn);
    ip[8] ^= 1; // TTL
    expect(describePacket(ip).checksum).toBe('bad-ip');
  });
});
