// Host API defects of issue 13 item 5: each one a clear, coded error or the right state, never silence.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_HORIZON_MS, VirtualClock } from '../../src/clock/virtual.js';
import type { Socket } from '../../src/socket.js';
import { Stack } from '../../src/stack.js';
import { directPair, SERVER } from './helpers.js';

const code = (c: string) => expect.objectContaining({ code: c });

describe('host API defects (issue 13 item 5)', () => {
  it("an accepted socket's tcpState is ESTABLISHED when 'connection' fires", () => {
    const { clock, client, server } = directPair();
    const seen: string[] = [];
    server.listen(80, {}, (s) => seen.push(s.tcpState));
    const c = client.connect({ host: SERVER, port: 80 });
    clock.runFor(10);
    expect(seen).toEqual(['ESTABLISHED']);
    expect(c.tcpState).toBe('ESTABLISHED');
  });

  it('setOnRead with a zero-length buffer throws ERR_INVALID_ARG_VALUE and loses nothing', () => {
    const { clock, client, server } = directPair();
    let peer: Socket | undefined;
    server.listen(80, {}, (s) => (peer = s));
    const c = client.connect({ host: SERVER, port: 80 });
    clock.runFor(10);
    expect(() => peer!.setOnRead({ buffer: new Uint8Array(0), callback: () => {} })).toThrow(code('ERR_INVALID_ARG_VALUE'));
    expect(() => peer!.setOnRead({ buffer: 'x' as unknown as Uint8Array, callback: () => {} })).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(() => client.connect({ host: SERVER, port: 80, onread: { buffer: new Uint8Array(0), callback: () => {} } })).toThrow(code('ERR_INVALID_ARG_VALUE'));
    const events: string[] = [];
    peer!.on('end', () => events.push('end'));
    peer!.on('close', () => events.push('close'));
    c.write('hello, world');
    clock.runFor(10);
    expect(events).toEqual([]); // no false end of stream
    const buffer = new Uint8Array(4);
    let got = '';
    peer!.setOnRead({ buffer, callback: (n) => { got += new TextDecoder().decode(buffer.subarray(0, n)); } });
    clock.runFor(10);
    expect(got).toBe('hello, world');
    expect(peer!.tcpState).toBe('ESTABLISHED');
  });

  it('config values must be finite numbers (or booleans for flags) of known keys', () => {
    const clock = new VirtualClock();
    const mk = (config: Record<string, unknown>) => () => new Stack({ address: '10.0.0.1', clock, config });
    expect(mk({ rtoInitialMs: Infinity })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(mk({ rtoMaxMs: -Infinity })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(mk({ mss: NaN })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(mk({ mss: '1460' })).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(mk({ sack: 1 })).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(mk({ rtoInitalMs: 100 })).toThrow(code('ERR_INVALID_ARG_VALUE')); // a typo is not silently ignored
    expect(mk({ rtoInitialMs: 500, sack: false })).not.toThrow();
  });

  it('a connect to a silent host with a finite rtoInitialMs fails with ETIMEDOUT', () => {
    const clock = new VirtualClock();
    const s = new Stack({ address: '10.0.0.1', clock, config: { rtoInitialMs: 100, synRetries: 2 } });
    const codes: string[] = [];
    s.connect({ host: '10.0.0.9', port: 80 }).on('error', (e) => codes.push((e as { code: string }).code));
    clock.runFor(10_000);
    expect(codes).toEqual(['ETIMEDOUT']);
  });

  it('localPort must be an integer 0..65535 (no silent rounding, no silent ephemeral port)', () => {
    const { client } = directPair();
    expect(() => client.connect({ host: SERVER, port: 80, localPort: 1.5 })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(() => client.connect({ host: SERVER, port: 80, localPort: NaN })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(() => client.connect({ host: SERVER, port: 80, localPort: 70000 })).toThrow(code('ERR_OUT_OF_RANGE'));
    expect(() => client.connect({ host: SERVER, port: 80, localPort: 'x' as unknown as number })).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(client.openSockets).toBe(0);
  });

  it('a Stack without a clock or address, and connect() without options, throw coded errors', () => {
    expect(() => new Stack({ address: '10.0.0.1' } as never)).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(() => new Stack({ address: '10.0.0.1', clock: {} } as never)).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(() => new Stack(undefined as never)).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(() => new Stack({ address: '10.0.0.300', clock: new VirtualClock() })).toThrow(code('ERR_INVALID_ARG_VALUE'));
    expect(() => new Stack({ address: 5, clock: new VirtualClock() } as never)).toThrow(code('ERR_INVALID_ARG_TYPE'));
    // Without an address a stack starts with no interface (issue 12): it gets them from createTapInterface & co.
    expect(new Stack({ clock: new VirtualClock() }).interfaces).toEqual([]);
    const { client } = directPair();
    expect(() => (client.connect as (o?: unknown) => unknown)()).toThrow(code('ERR_INVALID_ARG_TYPE'));
    expect(() => client.connect({ host: 5, port: 80 } as never)).toThrow(code('ERR_INVALID_ARG_TYPE'));
  });

  it('runUntil with a never-true predicate over endless keepalive timers returns false after one virtual day', () => {
    const { clock, client, server } = directPair();
    server.listen(80, {}, (s) => s.resume());
    client.connect({ host: SERVER, port: 80 }).setKeepAlive(true, 1000);
    clock.runFor(100);
    const t0 = clock.now();
    const e0 = clock.events;
    expect(clock.runUntil(() => false)).toBe(false);
    expect(clock.now()).toBe(t0 + DEFAULT_RUN_HORIZON_MS);
    expect(clock.events - e0).toBeLessThan(1_000_000); // ~3 per keepalive second, not the 50 M-event guard
    expect(clock.runUntil(() => false, { timeout: 5000 })).toBe(false);
    expect(clock.now()).toBe(t0 + DEFAULT_RUN_HORIZON_MS + 5000);
  });
});
