// "Linux in this page": a real Linux guest in v86 next to a wasm-tcp stack, loaded on demand (app.ts
// imports this module when the panel's button is pressed). The page fetches v86 (/v86/libv86.mjs,
// /v86/v86.wasm) and the images of `npm run guest` (/guest/…) from `wasm-tcp web`; when they are
// missing the panel says so and the rest of the page is unaffected. The guest boots (boot progress
// from its serial console) or a snapshot is restored; then our stack GETs a file from its busybox
// httpd over a TAP interface joined to the card by attachV86, drawing the ladder of that connection
// as it runs and checking the sha256.
import { formatIPv4, parseIPv4, RealClock, Recorder, renderSvg, Sha256, Stack, type Recording } from '../src/browser.js';
import { attachV86 } from '../src/v86/index.js';

/** What guest.json (written by scripts/guest.mjs) tells the page. */
interface Manifest {
  blob: { path: string; size: number; sha256: string };
  ports: { http: number; echo: number };
  ready: string;
  prompt: string;
  cmdline: string;
}

/** The constructor of npm's libv86.mjs, loaded at run time (v86 is an optional peer dependency). */
type V86Ctor = new (options: Record<string, unknown>) => V86Like;
interface V86Like {
  add_listener(event: string, fn: (value: never) => void): void;
  serial0_send(text: string): void;
  destroy(): Promise<void> | void;
}

const GUEST = { ip: '10.0.2.15', cidr: '10.0.2.15/24' };
const US = { mac: '02:00:00:00:00:02', ip: '10.0.2.2' };
/** Segments drawn: the first ones and the latest ones of a long transfer (an SVG of thousands is slow). */
const HEAD = 80;
const TAIL = 30;

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

/** Resolves with `url`'s bytes, or undefined when the server has no such file (404). */
async function optional(url: string): Promise<Response | undefined> {
  const r = await fetch(url, { cache: 'no-cache' });
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}

/** Starts the panel's guest: called once, by app.ts, when the user asks for it. */
export async function startLinux(): Promise<void> {
  const panel = $('linux-panel');
  const status = $('linux-status');
  const screen = $('linux-console');
  const fetchButton = $<HTMLButtonElement>('linux-fetch');
  const set = (state: string, text: string) => {
    panel.dataset.state = state;
    status.textContent = text;
  };

  set('loading', 'Loading v86 and the guest images…');
  const manifestResponse = await optional('guest/guest.json');
  if (!manifestResponse) {
    set('unavailable', 'The guest images are not built on this server: run `npm run guest`, then reload.');
    return;
  }
  const manifest = (await manifestResponse.json()) as Manifest;
  let V86: V86Ctor;
  try {
    const url = 'v86/libv86.mjs'; // a variable: the bundler leaves it to the page
    V86 = ((await import(/* @vite-ignore */ new URL(url, document.baseURI).href)) as { V86: V86Ctor }).V86;
  } catch {
    set('unavailable', 'v86 is not installed next to wasm-tcp on this server (npm install v86).');
    return;
  }
  const state = await optional('guest/state');
  const t0 = performance.now();
  const common = {
    wasm_path: new URL('v86/v86.wasm', document.baseURI).href,
    memory_size: 128 * 1024 * 1024,
    vga_memory_size: 2 * 1024 * 1024,
    bios: { url: 'guest/bios' },
    vga_bios: { url: 'guest/vgabios' },
    net_device: { type: 'virtio' },
    autostart: true,
    disable_mouse: true,
    disable_keyboard: true,
    disable_speaker: true,
  };
  const emulator = new V86(state
    ? { ...common, initial_state: { buffer: await state.arrayBuffer() }, preserve_mac_from_state_image: true }
    : { ...common, bzimage: { url: 'guest/bzImage' }, initrd: { url: 'guest/initrd' }, cmdline: `${manifest.cmdline} guest_ip=${GUEST.cidr} guest_gw=${US.ip}` });
  set('booting', state ? 'Restoring a snapshot of the booted guest…' : 'Booting Linux (about 20–40 s)…');

  // Boot progress: the serial console, its last lines.
  let text = '';
  let shown = 0;
  let ready: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  emulator.add_listener('serial0-output-byte', (b: number) => {
    if (b === 13) return;
    text += String.fromCharCode(b);
    if (text.includes(manifest.ready) || text.endsWith(manifest.prompt)) ready();
    if (text.length > 20_000) text = text.slice(-10_000);
  });
  const paint = setInterval(() => {
    if (text.length === shown) return;
    shown = text.length;
    screen.textContent = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\n').slice(-14).join('\n');
  }, 100);
  if (state) emulator.add_listener('emulator-started', () => setTimeout(() => emulator.serial0_send('\n'), 100));
  await isReady;
  const bootMs = performance.now() - t0;

  // Our stack: a TAP interface at the guest's gateway, joined to the card.
  // A 256 KiB receive window: the guest's sends are window-bound at the emulator's long round trips (bench/RESULTS.md).
  const stack = new Stack({ clock: new RealClock(), name: 'page', seed: (Math.random() * 2 ** 32) >>> 0, config: { recvBufferSize: 262144 } });
  const tap = stack.createTapInterface({ mac: US.mac, ip: `${US.ip}/24` });
  let recorder: Recorder | undefined;
  let t1 = 0;
  const tee = (frame: Uint8Array) => {
    // IPv4 frames (EtherType 0x0800) to the ladder of the connection being drawn.
    if (recorder && frame.length > 34 && frame[12] === 0x08 && frame[13] === 0x00) {
      const ip = frame.subarray(14);
      const from = ((ip[12] << 24) | (ip[13] << 16) | (ip[14] << 8) | ip[15]) >>> 0;
      const to = ((ip[16] << 24) | (ip[17] << 16) | (ip[18] << 8) | ip[19]) >>> 0;
      recorder.tap({ id: 0, time: performance.now() - t1, from, to, bytes: ip, fate: 'delivered', arriveAt: NaN });
    }
    return frame;
  };
  const toGuest = new TransformStream<Uint8Array, Uint8Array>({ transform: (f, c) => c.enqueue(tee(f)) });
  const fromGuest = new TransformStream<Uint8Array, Uint8Array>({ transform: (f, c) => c.enqueue(tee(f)) });
  void tap.readable.pipeTo(toGuest.writable).catch(() => {});
  void fromGuest.readable.pipeTo(tap.writable).catch(() => {});
  // virtio's receive queue takes 64 frames per turn: 2–4× faster bulk than the default 4 (bench/RESULTS.md).
  const attached = attachV86(emulator as never, { readable: toGuest.readable, writable: fromGuest.writable }, { burst: 64 });
  set('ready', `Linux is up (${state ? 'restored' : 'booted'} in ${(bootMs / 1000).toFixed(1)} s), guest ${GUEST.ip}, card ${attached.frames.mac ?? '…'}; our stack is ${US.ip}.`);
  panel.dataset.bootMs = String(Math.round(bootMs));
  fetchButton.disabled = false;
  fetchButton.addEventListener('click', () => {
    fetchButton.disabled = true;
    void fetchBlob(stack, manifest, (r) => (recorder = r), (t) => (t1 = t)).catch((err: unknown) => {
      $('linux-result').textContent = `Error: ${err instanceof Error ? err.message : String(err)}`;
      $('linux-result').dataset.match = 'false';
    }).finally(() => {
      recorder = undefined;
      fetchButton.disabled = false;
    });
  });
  window.addEventListener('pagehide', () => {
    clearInterval(paint);
    void attached.detach().then(() => emulator.destroy());
  });
}

/** GETs the guest's file over our stack: the ladder of the connection live, then the sha256 check. */
async function fetchBlob(stack: Stack, manifest: Manifest, setRecorder: (r: Recorder) => void, setStart: (t: number) => void): Promise<void> {
  const ladder = $('linux-ladder');
  const result = $('linux-result');
  const progress = $<HTMLProgressElement>('linux-progress');
  result.textContent = '';
  result.dataset.match = '';
  progress.value = 0;
  const recorder = new Recorder({ scenario: 'linux', seed: 0, client: parseIPv4(US.ip), server: parseIPv4(GUEST.ip), realTime: true });
  const t0 = performance.now();
  setStart(t0);
  setRecorder(recorder);
  const draw = (done: boolean) => {
    const rec: Recording = recorder.finish({ client: { state: done ? 'CLOSED' : 'ESTABLISHED', error: null }, server: { state: '', error: null } }, performance.now() - t0);
    const all = rec.segments.length;
    if (all > HEAD + TAIL) rec.segments = [...rec.segments.slice(0, HEAD), ...rec.segments.slice(-TAIL)];
    ladder.innerHTML = renderSvg(rec);
    ladder.dataset.segments = String(all);
    $('linux-ladder-note').textContent = all > HEAD + TAIL ? `${all} segments; drawn: the first ${HEAD} and the latest ${TAIL}.` : `${all} segments.`;
  };
  const timer = setInterval(() => draw(false), 250);
  try {
    const c = await stack.connectTcp({ host: GUEST.ip, port: manifest.ports.http });
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode(`GET ${manifest.blob.path} HTTP/1.0\r\nHost: ${GUEST.ip}\r\n\r\n`));
    w.releaseLock();
    const hash = new Sha256();
    let head = new Uint8Array(0);
    let inBody = false;
    let body = 0;
    for await (const chunk of c.readable) {
      let data = chunk;
      if (!inBody) {
        const all = new Uint8Array(head.length + chunk.length);
        all.set(head);
        all.set(chunk, head.length);
        const end = indexOfCrlfCrlf(all);
        if (end < 0) {
          head = all;
          continue;
        }
        const status = new TextDecoder().decode(all.subarray(0, all.indexOf(13)));
        if (!/ 200 /.test(status)) throw new Error(`the guest answered ${status}`);
        inBody = true;
        data = all.subarray(end + 4);
      }
      hash.update(data);
      body += data.length;
      progress.value = body / manifest.blob.size;
    }
    const sha = hash.digestHex();
    const s = (performance.now() - t0) / 1000;
    draw(true);
    const match = sha === manifest.blob.sha256 && body === manifest.blob.size;
    result.dataset.match = String(match);
    result.dataset.sha = sha;
    result.textContent = `GET ${manifest.blob.path} from ${formatIPv4(parseIPv4(GUEST.ip))}: ${body} bytes in ${s.toFixed(1)} s; sha256 ${sha} ${match ? '= the guest\'s file' : `≠ ${manifest.blob.sha256}`}`;
  } finally {
    clearInterval(timer);
  }
}

function indexOfCrlfCrlf(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}
