// The interface API's cases (cases.ts) inside a Chromium page, bundled with the browser build of the core.
import { describeCasesInChromium } from '../browser/cases-page.js';
import { IFACE_CASES } from './cases.js';

describeCasesInChromium({ what: 'interface', module: './test/iface/cases.ts', exportName: 'IFACE_CASES', names: IFACE_CASES.map((c) => c.name), bigBytes: 10_000_000 });
