// Boots the guest of `npm run guest` (build/guest/) in v86 for a Node test, or restores a snapshot of
// it: the first boot of a given build, card and address saves one in build/guest/snapshots/ and later
// test files (or runs) restore it. Test files booting at the same time share one boot through a lock.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { V86 } from 'v86';
import { v86Frames } from '../../src/v86/frames.js';
import { SerialConsole } from './serial.js';

const require = createRequire(import.meta.url);
export const GUEST_DIR = resolve('build/guest');
const SNAPSHOTS = join(GUEST_DIR, 'snapshots');

/** build/guest/guest.json, written by scripts/guest.mjs. */
export interface GuestManifest {
  build: string;
  kernel: { release: string; package: string };
  busybox: { package: string };
  modules: string[];
  files: Record<'bzimage' | 'initrd' | 'bios' | 'vgaBios', { name: string; size: number; sha256: string }>;
  blob: { path: string; size: number; sha256: string };
  ports: { http: number; echo: number };
  ready: string;
  prompt: string;
  cmdline: string;
}

export type Card = 'ne2k' | 'virtio';

export interface BootOptions {
  /** The emulated network card. Default ne2k. */
  card?: Card;
  /** The guest's address with prefix. Default 10.0.2.15/24. */
  ip?: string;
  /** The guest's default gateway (where a stack under test sits). Default 10.0.2.2. */
  gateway?: string;
  /** Restore (or make) a snapshot instead of booting every time. Default true. */
  snapshot?: boolean;
  /** Limit for the boot to a shell. Default 180 s (a loaded 2-core machine). */
  timeoutMs?: number;
}

/** A running guest. */
export interface Guest {
  readonly emulator: V86;
  readonly manifest: GuestManifest;
  readonly card: Card;
  /** The guest's address (no prefix) and its gateway. */
  readonly ip: string;
  readonly gateway: string;
  /** The guest card's MAC as the guest reports it. */
  readonly mac: string;
  readonly serial: SerialConsole;
  /** True when restored from a snapshot, false when booted. */
  readonly restored: boolean;
  /** Wall time from creating the emulator to a shell that answers, in ms. */
  readonly startMs: number;
  /** When this boot saved a snapshot: how long save_state() and writing it took, in ms, and its size. */
  readonly saved?: { ms: number; bytes: number };
  /** The snapshot file this guest was restored from or saved to (none with `snapshot: false`). */
  readonly snapshot?: string;
  /**
   * What a v86Frames opened right after `new V86()` (before the card existed) knew once the shell
   * answered: the card's MAC and how many frames the guest had sent.
   */
  readonly early: { mac: string | undefined; fromGuest: number };
  /** Runs a command in the serial shell; resolves with its output. */
  sh(command: string, timeoutMs?: number): Promise<string>;
  /** Stops and frees the emulator. */
  destroy(): Promise<void>;
}

/**
 * The guest images, built by scripts/guest.mjs when missing (fast when up to date; one build at a time
 * across test files); the reason when they cannot be built (no apt, no Debian archive).
 */
export async function guestImages(): Promise<{ manifest: GuestManifest } | { unavailable: string }> {
  mkdirSync('build', { recursive: true });
  const release = await acquireLock(resolve('build/guest.lock'), 900_000);
  try {
    const r = spawnSync(process.execPath, ['scripts/guest.mjs', '--quiet'], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return { unavailable: (r.stderr || r.error?.message || `exit ${r.status}`).trim() };
  } finally {
    release();
  }
  return { manifest: JSON.parse(readFileSync(join(GUEST_DIR, 'guest.json'), 'utf8')) as GuestManifest };
}

function image(name: string): { buffer: ArrayBuffer } {
  const b = readFileSync(join(GUEST_DIR, name));
  return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer };
}

const V86_VERSION = (JSON.parse(readFileSync(require.resolve('v86/package.json'), 'utf8')) as { version: string }).version;
/** The guest's memory; a snapshot restores only into the same size. */
export const MEMORY = 128 * 1024 * 1024;

/**
 * Boots the guest, or restores the snapshot of an earlier boot with the same build, v86, card and
 * command line (making it when missing; a snapshot that fails to restore is replaced).
 */
export async function bootGuest(manifest: GuestManifest, options: BootOptions = {}): Promise<Guest> {
  const card = options.card ?? 'ne2k';
  const cidr = options.ip ?? '10.0.2.15/24';
  const gateway = options.gateway ?? '10.0.2.2';
  const timeoutMs = options.timeoutMs ?? 180_000;
  const cmdline = `${manifest.cmdline} guest_ip=${cidr} guest_gw=${gateway}`;
  const how = { manifest, card, ip: cidr.split('/')[0], gateway, cmdline, timeoutMs };
  if (options.snapshot === false) return start(how);
  const key = createHash('sha256').update(JSON.stringify([manifest.build, V86_VERSION, card, MEMORY, cmdline])).digest('hex').slice(0, 16);
  const snapshot = join(SNAPSHOTS, `${card}-${key}.bin`);
  mkdirSync(SNAPSHOTS, { recursive: true });
  // Test files starting together: one boots and saves, the others wait and restore.
  const release = await acquireLock(`${snapshot}.lock`, timeoutMs);
  try {
    if (existsSync(snapshot)) {
      try {
        return { ...(await start(how, snapshot)), snapshot };
      } catch (err) {
        console.warn(`v86 guest: ${snapshot} did not restore (${(err as Error).message.split('\n')[0]}); booting`);
        rmSync(snapshot, { force: true });
      }
    }
    const guest = await start(how);
    const s0 = performance.now();
    const state = new Uint8Array(await guest.emulator.save_state());
    writeFileSync(`${snapshot}.${process.pid}`, state);
    renameSync(`${snapshot}.${process.pid}`, snapshot);
    return { ...guest, saved: { ms: performance.now() - s0, bytes: state.length }, snapshot };
  } finally {
    release();
  }
}

interface StartOptions {
  manifest: GuestManifest;
  card: Card;
  ip: string;
  gateway: string;
  cmdline: string;
  timeoutMs: number;
}

/** Creates the emulator and waits for a shell: booting the images, or restoring `snapshot`. */
async function start(o: StartOptions, snapshot?: string): Promise<Guest> {
  const t0 = performance.now();
  const emulator = new V86({
    wasm_path: require.resolve('v86/build/v86.wasm'),
    memory_size: MEMORY,
    vga_memory_size: 2 * 1024 * 1024,
    bios: image(o.manifest.files.bios.name),
    vga_bios: image(o.manifest.files.vgaBios.name),
    ...(snapshot
      // Without preserve_mac the card gets a new MAC the guest's driver never learns.
      ? { initial_state: { buffer: new Uint8Array(readFileSync(snapshot)).buffer }, preserve_mac_from_state_image: true }
      : { bzimage: image(o.manifest.files.bzimage.name), initrd: image(o.manifest.files.initrd.name), cmdline: o.cmdline }),
    autostart: true,
    disable_mouse: true,
    disable_keyboard: true,
    disable_speaker: true,
    net_device: { type: o.card },
  } as ConstructorParameters<typeof V86>[0]);
  const early = v86Frames(emulator);
  const started = new Promise<void>((r) => emulator.add_listener('emulator-started', () => r()));
  const serial = new SerialConsole(emulator);
  const destroy = async () => {
    early.close();
    serial.close();
    await emulator.destroy();
  };
  try {
    let mac: string;
    if (snapshot) {
      // Serial input before the state is loaded would be lost.
      await withTimeout(started, o.timeoutMs, 'the emulator did not start');
      mac = (await serial.sh('cat /sys/class/net/eth0/address', Math.min(o.timeoutMs, 20_000))).trim();
    } else {
      const ready = await serial.waitFor(new RegExp(`${o.manifest.ready} .*mac=(\\S+) ip=.*\\n`), o.timeoutMs);
      await serial.waitFor(o.manifest.prompt, o.timeoutMs, ready.index);
      mac = ready[1];
    }
    const startMs = performance.now() - t0;
    early.close();
    return {
      emulator, manifest: o.manifest, card: o.card, ip: o.ip, gateway: o.gateway, mac, serial,
      restored: snapshot !== undefined, startMs, early: { mac: early.mac, fromGuest: early.stats.fromGuest },
      sh: (command, ms) => serial.sh(command, ms),
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/**
 * Waits until this process holds the lock file `path` (taking over from a holder that died or held it
 * longer than `staleMs`); resolves with the function that releases it.
 */
async function acquireLock(path: string, staleMs: number): Promise<() => void> {
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch {
      let pid = 0;
      let age = 0;
      try {
        pid = Number(readFileSync(path, 'utf8')) || 0;
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if ((pid && !alive(pid)) || age > staleMs) rmSync(path, { force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
