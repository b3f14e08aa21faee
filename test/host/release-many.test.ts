// The releases of one pump go to the engine in one call (tcpReleaseMany over the stage area), in the
// order the sockets let go; each is what tcpRelease does alone.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine, TcpState } from '../../src/engine/engine.js';
import { SERVER, directPair } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

describe('releases in one call', () => {
  it('tcpReleaseMany frees what tcpRelease would, in order; a bad count is EINVAL', () => {
    const e = Engine.create({ addr: 0x0a000001, seed: 1 });
    const conns = [1, 2, 3].map((i) => e.connect(0x0a000002, 80, 0, 1000 + i));
    expect(conns.every((c) => c >= 0)).toBe(true);
    expect(e.connectionsInUse).toBe(3);
    e.abort(conns[0], 0); // CLOSED: freed by the release
    e.abort(conns[2], 0);
    e.releaseAll(conns, 1);
    expect(e.connectionsInUse).toBe(0); // the SYN_SENT one is closed and freed by its release too
    for (const c of conns) expect(e.state(c)).toBe(TcpState.CLOSED);
    expect(e.exports.tcpReleaseMany(-1, 1)).toBeLessThan(0);
    expect(e.exports.tcpReleaseMany(1025, 1)).toBeLessThan(0);
    expect(e.exports.tcpReleaseMany(0, 1)).toBe(0);
  });

  it("one pump's releases are one engine call", () => {
    const { clock, client, server } = directPair();
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    clock.runFor(1);
    const sockets = [1, 2, 3, 4].map(() => client.connect({ host: SERVER, port: 80 }));
    clock.runFor(10);
    expect(sockets.every((s) => !s.connecting && !s.destroyed)).toBe(true);
    const one = vi.spyOn(Engine.prototype, 'release');
    const batches: number[][] = [];
    const releaseAll = Engine.prototype.releaseAll;
    vi.spyOn(Engine.prototype, 'releaseAll').mockImplementation(function (this: Engine, list, now) {
      if (this === client.engine && list.length) batches.push([...list]); // the stack reuses its list
      releaseAll.call(this, list, now);
    });
    const conns = sockets.map((s) => s.conn);
    for (const s of sockets) s.destroy();
    clock.runFor(10);
    expect(one).not.toHaveBeenCalled();
    expect(batches).toEqual([conns]);
    expect(client.openSockets).toBe(0);
    expect(sockets.every((s) => s.tcpState === 'FIN_WAIT_2' || s.tcpState === 'TIME_WAIT')).toBe(true);
  });
});
