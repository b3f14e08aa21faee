// The web-streams API in Node (the same cases run in Chromium: browser.test.ts).
import { describe, it } from 'vitest';
import * as lib from '../../src/browser.js';
import { CASES } from './cases.js';

describe('web streams: connectTcp / listenTcp / TcpConnection / TcpListener (Node)', () => {
  for (const c of CASES) it(c.name, () => c.run({ lib, bigBytes: 100_000_000 }), 120_000);
});
