// Starts `wasm-tcp web` and Debian's Chromium for the browser tests and bench/browser.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Chromium binary: $CHROMIUM_PATH or Debian's /usr/bin/chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  if (!existsSync(CHROMIUM_PATH)) return `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (!existsSync('dist/web/app.js') || !existsSync('dist/cli.js')) return 'dist/ is not built (npm run build)';
  return null;
}

/** Flags for a machine without outside network: no background fetches that would stall on refused connections. */
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
  '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
];

/** A launched Chromium. */
export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Chromium; Playwright gives every launch a fresh temporary --user-data-dir. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 60_000 });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

/** A running `node dist/cli.js web --port 0`. */
export interface WebProcess {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/** Starts the demo server as the CLI does and waits for the URL it prints (--json). */
export function startWeb(): Promise<WebProcess> {
  const child = spawn(process.execPath, ['dist/cli.js', 'web', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`wasm-tcp web printed no URL within 15 s: ${out}${err}`)), 15_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(e);
    };
    child.stderr!.on('data', (d) => { err += d; });
    child.on('exit', (code) => fail(new Error(`wasm-tcp web exited with ${code}: ${err.trim()}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const { url } = JSON.parse(out.slice(0, nl)) as { url: string };
      resolve({
        url,
        child,
        close: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}
