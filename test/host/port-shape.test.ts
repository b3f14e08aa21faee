// The objects a stack hands its sockets (the port) and its interfaces (the interface host) are read on
// every read, write and frame. V8 gives an object with an accessor defined per instance a hidden class
// of its own, so with two stacks those reads went polymorphic and through the generic load IC: both
// objects must hold data properties only, in one order, and `down` must still reach them.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual.js';
import { Stack } from '../../src/stack.js';

type Shaped = Record<string, unknown>;
const portOf = (s: Stack): Shaped => (s as unknown as { port: Shaped }).port;
const hostOf = (s: Stack): Shaped => (s as unknown as { ifaceHost: Shaped }).ifaceHost;

function accessors(o: Shaped): string[] {
  return Object.entries(Object.getOwnPropertyDescriptors(o))
    .filter(([, d]) => d.get !== undefined || d.set !== undefined)
    .map(([k]) => k);
}

describe('port and interface host shape', () => {
  const clock = new VirtualClock();
  const a = new Stack({ address: '10.0.0.1', clock });
  const b = new Stack({ address: '10.0.0.2', clock });

  it('holds data properties only, the same keys in the same order on every stack', () => {
    for (const get of [portOf, hostOf]) {
      expect(accessors(get(a))).toEqual([]);
      expect(Object.keys(get(a))).toEqual(Object.keys(get(b)));
      expect(get(a)).not.toBe(get(b));
    }
  });

  it('answers the stack address through a method, and follows crash and reboot', () => {
    expect((portOf(a).address as () => string)()).toBe('10.0.0.1');
    expect((portOf(b).address as () => string)()).toBe('10.0.0.2');
    a.crash();
    expect(portOf(a).up).toBe(false);
    expect(hostOf(a).down).toBe(true);
    expect(hostOf(b).down).toBe(false);
    a.reboot();
    expect(portOf(a).up).toBe(true);
    expect(hostOf(a).down).toBe(false);
  });
});
