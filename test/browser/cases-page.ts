// Runs framework-free cases (a `Case[]` whose run({ lib, bigBytes }) takes the browser build of the
// core) inside a Chromium page: the suites of test/streams and test/iface, the same cases as in Node.
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './launch.js';
import { noNodeBuiltins } from '../../scripts/no-node-builtins.mjs';

/** What describeCasesInChromium needs: the cases' module, the name of its export, and their names. */
export interface PageCases {
  /** Short name of the suite ('streams', 'interface'). */
  what: string;
  /** The module exporting the cases, from the repository root ('./test/streams/cases.ts'). */
  module: string;
  /** Its export holding the cases. */
  exportName: string;
  /** The cases' names, in order (index i runs the export's case i in the page). */
  names: readonly string[];
  /** The `bigBytes` every case gets. */
  bigBytes: number;
}

/** The prerequisites check (run under CI) and one test per case inside one Chromium page. */
export function describeCasesInChromium(s: PageCases): void {
  const missing = chromiumMissing();
  const ci = process.env.CI === 'true';
  if (missing && !ci) console.warn(`[browser ${s.what} tests skipped] ${missing}`);

  describe(`browser ${s.what} prerequisites`, () => {
    it.runIf(ci)('Chromium and dist/ are present under CI', () => {
      expect(missing, missing ?? '').toBeNull();
    });
  });

  describe.skipIf(missing !== null)(`${s.what} cases in Chromium (the same cases as in Node)`, () => {
    let chromium: LaunchedBrowser;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      // The cases and the core, no Node built-in allowed (the plugin fails the build on one).
      const out = await build({
        stdin: {
          contents: `import * as lib from './src/browser.ts'; import { ${s.exportName} as CASES } from '${s.module}';
            globalThis.runCase = (i, bigBytes) => CASES[i].run({ lib, bigBytes }).then(() => 'ok', (e) => 'FAIL ' + (e && e.stack || e));`,
          resolveDir: process.cwd(), sourcefile: `${s.what}-entry.ts`, loader: 'ts',
        },
        bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
        loader: { '.wasm': 'binary' }, plugins: [noNodeBuiltins(`the browser ${s.what} test`)],
      });
      chromium = await launchChromium();
      page = await chromium.browser.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.setContent(`<!doctype html><title>wasm-tcp ${s.what}</title>`);
      await page.addScriptTag({ content: out.outputFiles[0].text });
    }, 120_000);

    afterAll(async () => {
      await chromium?.close();
    });

    s.names.forEach((name, i) => {
      it(name, async () => {
        const result = await page.evaluate(([n, big]) => (globalThis as unknown as { runCase(i: number, b: number): Promise<string> }).runCase(n, big), [i, s.bigBytes] as const);
        expect(result).toBe('ok');
        expect(errors).toEqual([]);
      }, 180_000);
    });
  });
}
