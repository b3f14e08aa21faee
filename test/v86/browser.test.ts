// v86 and wasm-tcp/v86 in Debian's Chromium: the page restores the guest's ne2k snapshot (made by
// the Node boot helper from the same build) with npm's libv86.mjs, and talks to it through v86Frames
// (ARP, pings) and its serial shell, as the Node tests do.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noNodeBuiltins } from '../../scripts/no-node-builtins.mjs';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from '../browser/launch.js';
import { bootGuest, GUEST_DIR, MEMORY } from '../support/v86-guest.js';
import { imagesOrSkip } from './cases.js';

const require = createRequire(import.meta.url);
const manifest = await imagesOrSkip();
const missing = chromiumMissing();
if (missing && process.env.CI !== 'true') console.warn(`[v86 browser test skipped] ${missing}`);
const ORIGIN = 'http://guest.test';

/** What the page reports. */
interface PageResult {
  startMs: number;
  mac: string;
  framesMac: string | undefined;
  arpMac: string;
  echoed: boolean;
  tcp: string;
  settled: boolean;
}

describe.skipIf(!manifest || (missing !== null && process.env.CI !== 'true'))('v86 and wasm-tcp/v86 in Chromium', () => {
  let chromium: LaunchedBrowser;
  let page: Page;
  let snapshot = '';
  const errors: string[] = [];

  beforeAll(async () => {
    expect(missing, missing ?? '').toBeNull();
    // The snapshot the Node tests restore (made now when missing).
    const guest = await bootGuest(manifest!, { card: 'ne2k' });
    console.log(`v86 ne2k: ${guest.restored ? 'restored from a snapshot' : 'booted'} to a shell in ${(guest.startMs / 1000).toFixed(2)} s`);
    snapshot = guest.snapshot!;
    await guest.destroy();
    // The adapter and the test's frame helpers, no Node built-in allowed; v86 itself loads from npm's file.
    const out = await build({
      stdin: {
        contents: `import { V86 } from 'v86';
          import { v86Frames } from './src/v86/index.ts';
          import { SerialConsole } from './test/support/serial.ts';
          import { FramePeer } from './test/support/frame-peer.ts';
          globalThis.runGuest = async (o) => {
            const t0 = performance.now();
            const emulator = new V86({
              wasm_path: '/v86.wasm', memory_size: o.memory, vga_memory_size: 2 * 1024 * 1024,
              bios: { url: '/bios' }, vga_bios: { url: '/vgabios' }, initial_state: { url: '/state' },
              preserve_mac_from_state_image: true, autostart: true, net_device: { type: 'ne2k' },
              disable_mouse: true, disable_keyboard: true, disable_speaker: true,
            });
            await new Promise((r) => emulator.add_listener('emulator-started', r));
            const serial = new SerialConsole(emulator);
            const mac = (await serial.sh('cat /sys/class/net/eth0/address', 30000)).trim();
            const startMs = performance.now() - t0;
            const frames = v86Frames(emulator);
            const peer = new FramePeer(frames, '02:00:00:00:00:02', o.gateway);
            const arp = await peer.resolve(o.ip);
            const data = new TextEncoder().encode('hello from Chromium');
            const reply = await peer.ping(mac, o.ip, 1, data);
            const tcp = await serial.sh('cat /proc/net/tcp');
            // Writes waiting for their turn (MessageChannel pacing) settle when the card is closed.
            const paced = v86Frames(emulator, { burst: 1 });
            const pw = paced.writable.getWriter();
            const writes = Array.from({ length: 8 }, () => pw.write(new Uint8Array(60)));
            await writes[0];
            paced.close();
            const settled = await Promise.race([Promise.allSettled(writes).then(() => true),
              new Promise((r) => setTimeout(() => r(false), 5000))]);
            const result = { startMs, mac, framesMac: frames.mac, arpMac: arp.senderMac,
              echoed: new TextDecoder().decode(reply.data) === 'hello from Chromium', tcp, settled };
            await peer.close();
            frames.close();
            await emulator.destroy();
            return result;
          };`,
        resolveDir: process.cwd(), sourcefile: 'v86-entry.ts', loader: 'ts',
      },
      bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent',
      plugins: [{ name: 'v86-from-npm', setup: (b) => b.onResolve({ filter: /^v86$/ }, () => ({ path: '/libv86.mjs', external: true })) },
        noNodeBuiltins('the v86 browser test')],
    });
    const files: Record<string, { path: string; type: string }> = {
      '/libv86.mjs': { path: require.resolve('v86/build/libv86.mjs'), type: 'text/javascript' },
      '/v86.wasm': { path: require.resolve('v86/build/v86.wasm'), type: 'application/wasm' },
      '/bios': { path: join(GUEST_DIR, manifest!.files.bios.name), type: 'application/octet-stream' },
      '/vgabios': { path: join(GUEST_DIR, manifest!.files.vgaBios.name), type: 'application/octet-stream' },
      '/state': { path: snapshot, type: 'application/octet-stream' },
    };
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>v86 guest</title>' });
      if (path === '/test.mjs') return route.fulfill({ contentType: 'text/javascript', body: out.outputFiles[0].text });
      const f = files[path];
      return f ? route.fulfill({ contentType: f.type, body: readFileSync(f.path) }) : route.fulfill({ status: 404 });
    });
    await page.goto(`${ORIGIN}/`);
    await page.addScriptTag({ type: 'module', url: `${ORIGIN}/test.mjs` });
    await page.waitForFunction(() => 'runGuest' in globalThis);
  }, 300_000);

  afterAll(async () => {
    await chromium?.close();
  });

  it('restores the guest in the page; ARP, ping and the serial shell answer through v86Frames', async () => {
    const r = await page.evaluate((o) => (globalThis as unknown as { runGuest(o: object): Promise<PageResult> }).runGuest(o),
      { memory: MEMORY, ip: '10.0.2.15', gateway: '10.0.2.2' });
    console.log(`v86 ne2k in Chromium: restored to a shell in ${(r.startMs / 1000).toFixed(2)} s`);
    expect(r.mac).toMatch(/^00:22:15(:[0-9a-f]{2}){3}$/);
    expect([r.framesMac, r.arpMac]).toEqual([r.mac, r.mac]);
    expect(r.echoed).toBe(true);
    expect(r.tcp).toMatch(/00000000:0050 00000000:0000 0A/);
    expect(r.settled).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
