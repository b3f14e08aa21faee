import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/real.js';
import { DirectLink } from '../../src/link/direct.js';
import * as net from '../../src/net.js';
import { Stack } from '../../src/stack.js';

function realPair() {
  const clock = new RealClock();
  const a = new Stack({ address: '10.1.0.1', clock });
  const b = new Stack({ address: '10.1.0.2', clock });
  DirectLink.connect(a, b);
  return { a, b };
}

describe('wasm-tcp/net (Node adapter)', () => {
  it('server.listen(port, cb), address(), once(socket, "connect"), pipe and for await', async () => {
    const { a, b } = realPair();
    const server = net.createServer({ stack: b }, (sock) => {
      sock.pipe(sock); // echo
    });
    await new Promise<void>((r) => server.listen(8080, r));
    expect(server.address()).toEqual({ address: '10.1.0.2', family: 'IPv4', port: 8080 });
    const sock = net.connect({ stack: a, host: '10.1.0.2', port: 8080 });
    expect(sock).toBeInstanceOf(net.Socket);
    await once(sock, 'connect');
    expect(sock.remoteAddress).toBe('10.1.0.2');
    expect(sock.remotePort).toBe(8080);
    const payload = Buffer.alloc(500_000).map((_, i) => (i * 7) & 255);
    Readable.from([payload.subarray(0, 100_000), payload.subarray(100_000)]).pipe(sock);
    const parts: Buffer[] = [];
    for await (const chunk of sock) parts.push(chunk as Buffer);
    expect(Buffer.concat(parts).equals(payload)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(server.listening).toBe(false);
  });

  it('stream.pipeline into a Writable, and end/close events as in Node', async () => {
    const { a, b } = realPair();
    const received: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      net.createServer({ stack: b }, (sock) => {
        pipeline(sock, new Writable({ write(c, _e, cb) { received.push(c); cb(); } })).then(resolve, reject);
      }).listen(9000);
    });
    const sock = net.createConnection({ stack: a, host: '10.1.0.2', port: 9000 }, () => {
      sock.write('hello ');
      sock.end('world');
    });
    const closed = once(sock, 'close');
    await done;
    await closed;
    expect(Buffer.concat(received).toString()).toBe('hello world');
    expect(sock.destroyed).toBe(true);
  });

  it('errors carry Node codes: ECONNREFUSED', async () => {
    const { a } = realPair();
    const s2 = new net.Socket({ stack: a }).connect(4444, '10.1.0.2');
    const [err] = (await once(s2, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('bad arguments throw at once as in Node; a bad host is an ENOTFOUND error event', async () => {
    const { a } = realPair();
    expect(() => net.connect({ stack: a, port: 70000 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    expect(() => new net.Socket({ stack: a }).connect(-1)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    const s = net.connect({ stack: a, port: 80, host: '300.1.1.1' });
    const [err] = (await once(s, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ENOTFOUND');
  });

  it('the default stack loops back to itself (existing code runs unchanged)', async () => {
    const server = net.createServer((s) => s.end('hi from the wasm stack'));
    await new Promise<void>((r) => server.listen(0, r));
    const port = (server.address() as { port: number }).port;
    const s = net.connect(port, 'localhost');
    let text = '';
    for await (const chunk of s) text += chunk;
    expect(text).toBe('hi from the wasm stack');
    server.close();
  });
});
