// `wasm-tcp web`: serves the browser demo page (web/) and the browser bundle with node:http.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { negativeValues } from './args.js';

const USAGE = 'usage: wasm-tcp web [--port P] [--host H] [--json]';

const HELP = `${USAGE}

Serves the browser demo: two wasm-tcp stacks running inside the page over a simulated
network (scenarios, ladder diagrams, bulk transfers, pcap download). Everything is served
from this machine; the page needs no network access. Stop with Ctrl-C.

options:
  --port P    TCP port to listen on (default 8357; 0 picks a free one)
  --host H    address to bind (default 127.0.0.1; 0.0.0.0 to open it from a phone)
  --json      print {"url","port"} as one JSON line instead of the human message
  -h, --help  this text`;

/** Default port of the demo server. */
export const DEFAULT_PORT = 8357;

/** URL path → file (relative to the package root) and content type. Nothing else is served. */
const ROUTES: Record<string, { file: string; type: string }> = {
  '/': { file: 'web/index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'web/index.html', type: 'text/html; charset=utf-8' },
  '/style.css': { file: 'web/style.css', type: 'text/css; charset=utf-8' },
  '/app.js': { file: 'dist/web/app.js', type: 'text/javascript; charset=utf-8' },
  '/wasm-tcp.js': { file: 'dist/browser.js', type: 'text/javascript; charset=utf-8' },
  '/favicon.ico': { file: 'web/favicon.svg', type: 'image/svg+xml' },
  '/favicon.svg': { file: 'web/favicon.svg', type: 'image/svg+xml' },
  '/guest.js': { file: 'dist/web/guest.js', type: 'text/javascript; charset=utf-8' },
  '/v86.js': { file: 'dist/v86.js', type: 'text/javascript; charset=utf-8' },
};

const BINARY = 'application/octet-stream';

/**
 * The "Linux in this page" panel's optional files: v86 from node_modules (an optional peer dependency)
 * and the images of `npm run guest` in build/guest/. Absolute paths, or undefined (404) when absent.
 */
function optionalFile(root: string, path: string): { file: string; type: string } | undefined {
  const guest = join(root, 'build', 'guest');
  const v86 = (name: string) => {
    try {
      return createRequire(join(root, 'package.json')).resolve(`v86/build/${name}`);
    } catch {
      return undefined;
    }
  };
  const at = (file: string | undefined, type = BINARY) => (file && existsSync(file) ? { file, type } : undefined);
  switch (path) {
    case '/v86/libv86.mjs': return at(v86('libv86.mjs'), 'text/javascript; charset=utf-8');
    case '/v86/v86.wasm': return at(v86('v86.wasm'), 'application/wasm');
    case '/guest/guest.json': return at(join(guest, 'guest.json'), 'application/json');
    case '/guest/bios': return at(join(guest, 'bios-256k.bin'));
    case '/guest/vgabios': return at(join(guest, 'vgabios-stdvga.bin'));
    case '/guest/bzImage': return at(join(guest, 'bzImage'));
    case '/guest/initrd': return at(join(guest, 'initrd.cpio'));
    case '/guest/state': {
      // The newest virtio snapshot the tests made (npm run guest drops those of older builds).
      const dir = join(guest, 'snapshots');
      if (!existsSync(dir)) return undefined;
      const newest = readdirSync(dir).filter((f) => /^virtio-[0-9a-f]+\.bin$/.test(f))
        .map((f) => ({ f: join(dir, f), t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t)[0];
      return at(newest?.f);
    }
    default: return undefined;
  }
}

/** A running demo server. */
export interface WebServer {
  /** `http://host:port/` of the page. */
  url: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Finds the package root (the directory holding web/index.html) above this module. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'web', 'index.html')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the web/ directory of wasm-tcp');
  }
}

/** Starts the demo server on `host:port` (port 0: a free one); resolves once it listens. */
export function startWebServer(opts: { port?: number; host?: string; root?: string } = {}): Promise<WebServer> {
  const root = opts.root ?? packageRoot();
  const host = opts.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const fixed = ROUTES[path];
    const route = fixed ? { file: join(root, fixed.file), type: fixed.type } : optionalFile(root, path);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(route.file);
    } catch {
      const hint = fixed?.file.startsWith('dist/') ? ' (run `npm run build` first)' : '';
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`missing ${fixed?.file ?? path}${hint}\n`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': route.type,
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? DEFAULT_PORT);
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}/`,
        port,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** Runs `wasm-tcp web`: serves until SIGINT/SIGTERM; exit 0, 1 when it cannot listen, 2 on bad usage. */
export async function run(argv: string[]): Promise<number> {
  let values: { port?: string; host?: string; json?: boolean; help?: boolean };
  try {
    const options = { port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
    ({ values } = parseArgs({ args: negativeValues(argv, options), options, allowPositionals: false }));
  } catch (err) {
    // One line: parseArgs' first sentence and the usage (its longer hints would bury the point).
    console.error(`wasm-tcp web: ${(err as Error).message.split('\n')[0]} (${USAGE})`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
      console.error(`wasm-tcp web: --port must be an integer 0..65535, got '${values.port}'`);
      return 2;
    }
    port = Number(values.port);
  }
  let root: string;
  try {
    root = packageRoot();
  } catch (err) {
    console.error(`wasm-tcp web: ${(err as Error).message}`);
    return 1;
  }
  if (!existsSync(join(root, 'dist', 'web', 'app.js'))) {
    console.error('wasm-tcp web: dist/web/app.js is missing; run `npm run build` first');
    return 1;
  }
  let web: WebServer;
  try {
    web = await startWebServer({ port, host: values.host, root });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0)`
      : e.code === 'EADDRNOTAVAIL' ? `cannot bind ${values.host}: not an address of this machine`
      : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? `cannot resolve --host ${values.host}`
      : e.code === 'EACCES' ? `no permission to listen on port ${port} (try a port above 1023)`
      : e.message;
    console.error(`wasm-tcp web: ${why}`);
    return 1;
  }
  if (values.json) console.log(JSON.stringify({ url: web.url, port: web.port }));
  else console.log(`wasm-tcp demo page: ${web.url}\n(open it in a browser; Ctrl-C stops the server)`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void web.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
