// The same web-streams cases (cases.ts) inside a Chromium page, bundled with the browser build of the core.
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from '../browser/launch.js';
import { noNodeBuiltins } from '../../scripts/no-node-builtins.mjs';
import { CASES } from './cases.js';

const missing = chromiumMissing();
const ci = process.env.CI === 'true';
if (missing && !ci) console.warn(`[browser streams tests skipped] ${missing}`);

describe('browser streams prerequisites', () => {
  it.runIf(ci)('Chromium and dist/ are present under CI', () => {
    expect(missing, missing ?? '').toBeNull();
  });
});

describe.skipIf(missing !== null)('web streams in Chromium (the same cases as in Node)', () => {
  let chromium: LaunchedBrowser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    // The cases and the core, no Node built-in allowed (the plugin fails the build on one).
    const out = await build({
      stdin: {
        contents: `import * as lib from './src/browser.ts'; import { CASES } from './test/streams/cases.ts';
          globalThis.runCase = (i, bigBytes) => CASES[i].run({ lib, bigBytes }).then(() => 'ok', (e) => 'FAIL ' + (e && e.stack || e));`,
        resolveDir: process.cwd(), sourcefile: 'streams-entry.ts', loader: 'ts',
      },
      bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
      loader: { '.wasm': 'binary' }, plugins: [noNodeBuiltins('the browser streams test')],
    });
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><title>wasm-tcp streams</title>');
    await page.addScriptTag({ content: out.outputFiles[0].text });
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
  });

  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const result = await page.evaluate(([n, big]) => (globalThis as unknown as { runCase(i: number, b: number): Promise<string> }).runCase(n, big), [i, 100_000_000] as const);
      expect(result).toBe('ok');
      expect(errors).toEqual([]);
    }, 180_000);
  });
});
