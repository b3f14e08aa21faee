// The demo page's "Linux in this page" panel in Debian's Chromium, served by `wasm-tcp web`: without
// the guest images the panel says so and the page works as before; with them it restores the guest's
// virtio snapshot, our in-page stack GETs /blob.bin from the guest's httpd, draws the ladder of that
// connection and shows a sha256 equal to the guest's file.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, startWeb, type LaunchedBrowser, type WebProcess } from '../browser/launch.js';
import { bootGuest } from '../support/v86-guest.js';
import { imagesOrSkip } from './cases.js';

const manifest = await imagesOrSkip();
const missing = chromiumMissing();
if (missing && process.env.CI !== 'true') console.warn(`[v86 page test skipped] ${missing}`);

describe.skipIf(!manifest || (missing !== null && process.env.CI !== 'true'))('the demo page\'s "Linux in this page" panel in Chromium', () => {
  let web: WebProcess;
  let chromium: LaunchedBrowser;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(missing, missing ?? '').toBeNull();
    // The snapshot the panel restores (made now when missing).
    const guest = await bootGuest(manifest!, { card: 'virtio' });
    await guest.destroy();
    web = await startWeb();
    chromium = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await chromium?.close();
    await web?.close();
  });

  async function open(hideImages: boolean): Promise<Page> {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    if (hideImages) await page.route('**/guest/**', (route) => route.fulfill({ status: 404, body: 'not found\n' }));
    await page.goto(web.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return page;
  }

  it('wasm-tcp web serves the panel, v86 and the guest images, nothing else under /guest/ and /v86/', async () => {
    const get = async (path: string) => {
      const r = await fetch(new URL(path, web.url));
      return { status: r.status, type: r.headers.get('content-type') ?? '', bytes: (await r.arrayBuffer()).byteLength };
    };
    expect(await get('/guest.js')).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/javascript/) });
    expect(await get('/v86.js')).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/javascript/) });
    expect(await get('/v86/v86.wasm')).toMatchObject({ status: 200, type: 'application/wasm' });
    expect(await get('/guest/guest.json')).toMatchObject({ status: 200, type: 'application/json' });
    expect(await get('/guest/bzImage')).toMatchObject({ status: 200, bytes: manifest!.files.bzimage.size });
    expect((await get('/guest/state')).bytes).toBeGreaterThan(20 << 20);
    for (const path of ['/guest/', '/guest/debs', '/guest/snapshots', '/guest/%2e%2e/guest.json', '/v86/package.json', '/guest/initrd.cpio']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('without the guest images the panel says how to build them; the page still runs its scenarios', async () => {
    const page = await open(true);
    await page.click('#linux-start');
    await page.waitForSelector('#linux-panel[data-state="unavailable"]', { timeout: 30_000 });
    expect(await page.textContent('#linux-status')).toContain('npm run guest');
    await page.click('#run');
    await page.waitForSelector('#run-info[data-done="true"]', { timeout: 30_000 });
    expect(Number(await page.getAttribute('#ladder', 'data-segments'))).toBeGreaterThan(0);
    await page.close();
    expect(errors).toEqual([]);
  }, 90_000);

  it('restores the guest, fetches /blob.bin over our stack with the ladder drawn live, sha256 equal', async () => {
    const page = await open(false);
    await page.click('#linux-start');
    await page.waitForSelector('#linux-panel[data-state="ready"]', { timeout: 120_000 });
    const bootMs = Number(await page.getAttribute('#linux-panel', 'data-boot-ms'));
    console.log(`v86 virtio in the demo page: restored in ${(bootMs / 1000).toFixed(2)} s`);
    expect(await page.textContent('#linux-console')).toContain(manifest!.prompt.trim());
    await page.click('#linux-fetch');
    // Live: segments appear in the ladder before the transfer is over.
    await page.waitForFunction(() => Number(document.getElementById('linux-ladder')!.dataset.segments) > 20, undefined, { timeout: 60_000 });
    const during = await page.evaluate(() => ({ match: document.getElementById('linux-result')!.dataset.match, svg: !!document.querySelector('#linux-ladder svg') }));
    expect(during).toEqual({ match: '', svg: true });
    await page.waitForFunction(() => document.getElementById('linux-result')!.dataset.match !== '', undefined, { timeout: 180_000 });
    const r = await page.evaluate(() => {
      const el = document.getElementById('linux-result')!;
      return { match: el.dataset.match, sha: el.dataset.sha, text: el.textContent, segments: Number(document.getElementById('linux-ladder')!.dataset.segments) };
    });
    console.log(`v86 virtio in the demo page: ${r.text}`);
    expect(r.match).toBe('true');
    expect(r.sha).toBe(manifest!.blob.sha256);
    expect(r.segments).toBeGreaterThan(manifest!.blob.size / 1460);
    expect(await page.locator('#linux-ladder svg').count()).toBe(1);
    await page.close();
    expect(errors).toEqual([]);
  }, 300_000);
});
