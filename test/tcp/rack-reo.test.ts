// RACK's reordering window multiplier (RFC 8985 §6.2 step 4, tcp/rack.ts): a D-SACK widens it, and it
// returns to 1 after 16 fast recoveries without one (RACK.reo_wnd_persist, kept in rackFlags' high
// four bits less one), through the test build's testReoWnd hook.
import { describe, expect, it } from 'vitest';
import { Harness } from './harness.js';
import { testModule } from '../support/test-engine.js';

interface Hooks { testReoWnd(slot: number, op: number): number; testSelfCheck(): number }

describe('RACK reo_wnd_persist', () => {
  it('the multiplier stays for 16 recoveries after a D-SACK and is 1 at the 16th; a new D-SACK restarts the count', () => {
    const h = new Harness({ sack: true }, 1, testModule());
    const hooks = h.e.exports as unknown as Hooks;
    h.inState('ESTABLISHED');
    const dsack = () => hooks.testReoWnd(h.conn, 0);
    const recovered = () => hooks.testReoWnd(h.conn, 1);
    expect(recovered()).toBe(1); // no D-SACK yet: the base multiplier
    expect(dsack()).toBe(2);
    for (let i = 1; i <= 15; i++) expect(recovered()).toBe(2);
    expect(recovered()).toBe(1);
    expect(recovered()).toBe(1);
    expect(dsack()).toBe(2);
    for (let i = 1; i <= 10; i++) recovered();
    expect(dsack()).toBe(3); // nothing in flight: each D-SACK is a new round; the count starts again
    for (let i = 1; i <= 15; i++) expect(recovered()).toBe(3);
    expect(recovered()).toBe(1);
    expect(hooks.testSelfCheck()).toBe(0);
  });
});
