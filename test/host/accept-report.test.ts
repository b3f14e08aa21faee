// A new connection's state and 4-tuple come from the control block (the Open* slots tcpAccept and
// tcpConnect fill), and the accept loop stops on AcceptMore: one engine call per accepted connection,
// none for its addresses or state, and none that only says −EAGAIN.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine, TcpState } from '../../src/engine/engine.js';
import type { Socket } from '../../src/socket.js';
import { CLIENT, SERVER, directPair } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

/** `n` connections opened at once (their SYNs in one batch): the server's Accept events come in one batch. */
function burst(n: number, onConnection: (s: Socket) => void = () => undefined) {
  const { clock, client, server } = directPair();
  const accepted: Socket[] = [];
  server.listen(80, {}, (s) => {
    accepted.push(s);
    onConnection(s);
  });
  clock.runFor(1);
  const calls = {
    accept: vi.spyOn(Engine.prototype, 'accept'),
    tuple: vi.spyOn(Engine.prototype, 'tuple'),
    state: vi.spyOn(Engine.prototype, 'state'),
  };
  const sockets = Array.from({ length: n }, () => client.connect({ host: SERVER, port: 80 }));
  const whileConnecting = sockets.map((s) => ({ localPort: s.localPort, localAddress: s.localAddress }));
  clock.runFor(10);
  return { clock, client, server, sockets, accepted, calls, whileConnecting };
}

describe('accept and connect report the new connection', () => {
  it('accepted sockets know their addresses and state, with one accept call each', () => {
    const { sockets, accepted, calls, whileConnecting } = burst(5);
    expect(accepted).toHaveLength(5);
    expect(calls.accept).toHaveBeenCalledTimes(5);
    expect(calls.tuple).not.toHaveBeenCalled();
    expect(calls.state).not.toHaveBeenCalled();
    const ports = sockets.map((s) => s.localPort);
    expect(new Set(ports).size).toBe(5);
    for (const [i, s] of accepted.entries()) {
      expect(s.tcpState).toBe('ESTABLISHED');
      expect(s.localPort).toBe(80);
      expect(s.localAddress).toBe(SERVER);
      expect(s.remoteAddress).toBe(CLIENT);
      expect(s.remotePort).toBe(ports[i]); // accepted in the order the SYNs came
    }
    // An active open shows its port once connected, as before; its local address at once.
    for (const w of whileConnecting) {
      expect(w.localPort).toBeUndefined();
      expect(w.localAddress).toBe(CLIENT);
    }
    for (const s of sockets) {
      expect(s.connecting).toBe(false);
      expect(s.localAddress).toBe(CLIENT);
      expect(s.remoteAddress).toBe(SERVER);
      expect(s.remotePort).toBe(80);
      expect(s.address()).toEqual({ address: CLIENT, family: 'IPv4', port: s.localPort });
    }
  });

  it('the Open* slots hold what tcpInfo and tcpState say, AcceptMore whether another waits', () => {
    const seen: { more: boolean; opened?: object; info?: object; state?: number; openedState?: number }[] = [];
    const accept = Engine.prototype.accept;
    vi.spyOn(Engine.prototype, 'accept').mockImplementation(function (this: Engine, listener: number) {
      const conn = accept.call(this, listener);
      const row: (typeof seen)[number] = { more: this.acceptMore };
      if (conn >= 0) {
        const t = { localAddr: 0, localPort: 0, remoteAddr: 0, remotePort: 0 };
        const w = { ...t };
        this.opened(t);
        this.tuple(conn, w);
        Object.assign(row, { opened: t, info: w, openedState: this.openedState, state: this.state(conn) });
      }
      seen.push(row);
      return conn;
    });
    const { clock, client, server } = directPair();
    server.listen(80);
    clock.runFor(1);
    const sockets = [1, 2, 3].map(() => client.connect({ host: SERVER, port: 80 }));
    clock.runFor(10);
    expect(seen.map((r) => r.more)).toEqual([true, true, false]);
    for (const r of seen) {
      expect(r.opened).toEqual(r.info);
      expect(r.openedState).toBe(TcpState.ESTABLISHED);
      expect(r.openedState).toBe(r.state);
    }
    // The last connect's connection: the port the engine chose, the peer's address and port.
    const t = { localAddr: 0, localPort: 0, remoteAddr: 0, remotePort: 0 };
    client.engine.opened(t);
    expect(t).toEqual({ localAddr: 0x0a000001, localPort: sockets[2].localPort, remoteAddr: 0x0a000002, remotePort: 80 });
  });

  it('a connection handler that closes its socket still sees every connection (an Accept whose connection was taken finds the queue empty)', () => {
    let n = 0;
    const { accepted, calls, clock, server } = burst(6, (s) => {
      if (n++ % 2 === 0) s.destroy();
    });
    clock.runFor(10);
    expect(accepted).toHaveLength(6);
    // The destroyed ones' later Accept events ask once more (their slot has no owner): at most one call each.
    expect(calls.accept.mock.calls.length).toBeGreaterThanOrEqual(6);
    expect(calls.accept.mock.calls.length).toBeLessThanOrEqual(9);
    expect(server.openSockets).toBe(3);
  });
});
