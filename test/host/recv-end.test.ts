// tcpRecv says when the bytes it read were the stream's last (control slot RecvEnd): the socket then
// reports the end of the stream without the read that would return 0, at the same point as before
// (the PeerFin event), with every byte before it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { Socket } from '../../src/socket.js';
import { SERVER, directPair } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

/** A client that sends `payload` and ends; the server socket's reads, events and recv calls. */
function oneShot(payload: Uint8Array, readBuffer?: Uint8Array) {
  const { clock, client, server } = directPair();
  const log: string[] = [];
  const got: number[] = [];
  let srv: Socket | undefined;
  server.listen(80, {}, (s) => {
    srv = s;
    if (readBuffer) {
      s.setOnRead({ buffer: readBuffer, callback: (n, b) => { got.push(...b.subarray(0, n)); log.push(`read ${n}`); } });
    } else s.on('data', (d: Uint8Array) => { got.push(...d); log.push(`data ${d.length}`); });
    s.on('end', () => log.push('end'));
    s.on('close', () => log.push('close'));
  });
  clock.runFor(1);
  const recv = vi.spyOn(Engine.prototype, 'recv');
  const c = client.connect({ host: SERVER, port: 80 });
  c.on('connect', () => c.end(payload));
  c.on('data', () => undefined);
  clock.runFor(100);
  const serverRecvs = recv.mock.contexts.filter((e) => e === server.engine).length;
  return { log, got, serverRecvs, srv: srv!, c };
}

describe('the end of the stream without the read that returns 0', () => {
  it('one byte and the FIN: one read on the server, then end and close', () => {
    const { log, got, serverRecvs, c } = oneShot(new Uint8Array([42]), new Uint8Array(64));
    expect(got).toEqual([42]);
    expect(log).toEqual(['read 1', 'end', 'close']);
    expect(serverRecvs).toBe(1);
    expect(c.destroyed).toBe(true);
  });

  it('more than one read buffer of data: every byte in order, the last read ends the stream', () => {
    const payload = Uint8Array.from({ length: 200 }, (_, i) => i);
    const { log, got, serverRecvs } = oneShot(payload, new Uint8Array(64));
    expect(got).toEqual([...payload]);
    expect(log).toEqual(['read 64', 'read 64', 'read 64', 'read 8', 'end', 'close']);
    expect(serverRecvs).toBe(4);
  });

  it("'data' events: the same, through the stack's scratch buffer", () => {
    const payload = new TextEncoder().encode('hello');
    const { log, got, serverRecvs } = oneShot(payload);
    expect(new TextDecoder().decode(Uint8Array.from(got))).toBe('hello');
    expect(log).toEqual(['data 5', 'end', 'close']);
    expect(serverRecvs).toBe(1);
  });
});
