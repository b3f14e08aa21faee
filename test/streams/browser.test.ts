// The same web-streams cases (cases.ts) inside a Chromium page, bundled with the browser build of the core.
import { describeCasesInChromium } from '../browser/cases-page.js';
import { CASES } from './cases.js';

describeCasesInChromium({ what: 'streams', module: './test/streams/cases.ts', exportName: 'CASES', names: CASES.map((c) => c.name), bigBytes: 100_000_000 });
