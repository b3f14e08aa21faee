// The interface API's cases in Node (the same cases run in Chromium: browser.test.ts).
import { describe, it } from 'vitest';
import * as lib from '../../src/browser.js';
import { IFACE_CASES } from './cases.js';

describe('network interfaces: TAP / TUN streams (Node)', () => {
  for (const c of IFACE_CASES) it(c.name, () => c.run({ lib, bigBytes: 10_000_000 }), 120_000);
});
