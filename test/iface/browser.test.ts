// The interface API's cases (cases.ts) inside a Chromium page, bundled with the browser build of the core.
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from '../browser/launch.js';
import { noNodeBuiltins } from '../../scripts/no-node-builtins.mjs';
import { IFACE_CASES } from './cases.js';

const missing = chromiumMissing();
const ci = process.env.CI === 'true';
if (missing && !ci) console.warn(`[browser interface tests skipped] ${missing}`);

describe('browser interface prerequisites', () => {
  it.runIf(ci)('Chromium and dist/ are present under CI', () => {
    expect(missing, missing ?? '').toBeNull();
  });
});

describe.skipIf(missing !== null)('network interfaces in Chromium (the same cases as in Node)', () => {
  let chromium: LaunchedBrowser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const out = await build({
      stdin: {
        contents: `import * as lib from './src/browser.ts'; import { IFACE_CASES } from './test/iface/cases.ts';
          globalThis.runCase = (i, bigBytes) => IFACE_CASES[i].run({ lib, bigBytes }).then(() => 'ok', (e) => 'FAIL ' + (e && e.stack || e));`,
        resolveDir: process.cwd(), sourcefile: 'iface-entry.ts', loader: 'ts',
      },
      bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
      loader: { '.wasm': 'binary' }, plugins: [noNodeBuiltins('the browser interface test')],
    });
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><title>wasm-tcp interfaces</title>');
    await page.addScriptTag({ content: out.outputFiles[0].text });
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
  });

  IFACE_CASES.forEach((c, i) => {
    it(c.name, async () => {
      const result = await page.evaluate(([n, big]) => (globalThis as unknown as { runCase(i: number, b: number): Promise<string> }).runCase(n, big), [i, 10_000_000] as const);
      expect(result).toBe('ok');
      expect(errors).toEqual([]);
    }, 180_000);
  });
});
