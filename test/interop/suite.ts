// `describeInterop`: interop suites run where they can, fail loudly under CI when they cannot; and the
// fixtures the suites share (scratch directory, random files, kernel-side servers, clean-up checks).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyAll, missingPrerequisite, until, type Netns, type Proc } from './netns.js';

/**
 * `describe` for interop suites: runs when the prerequisites hold; under CI=true a missing prerequisite
 * is a failing test (never a silent skip); elsewhere the suite is skipped with the reason printed.
 */
export function describeInterop(name: string, fn: () => void): void {
  const reason = missingPrerequisite();
  if (!reason) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its prerequisites (root, /dev/net/tun, ip, socat, python3, dist/)', () => {
        throw new Error(`interop tests cannot run under CI: ${reason}`);
      });
    });
  } else {
    console.warn(`[interop] skipping '${name}': ${reason}`);
    describe.skip(name, fn);
  }
}

/** A scratch directory for the enclosing suite; after the suite every namespace is destroyed and the directory deleted. */
export function suiteDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(async () => {
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Hex sha256 of `b`. */
export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** `size` random bytes written to `dir/name`, and their sha256. */
export function randomFile(dir: string, name: string, size: number): { file: string; data: Buffer; sha: string } {
  const file = join(dir, name);
  const data = randomBytes(size);
  writeFileSync(file, data);
  return { file, data, sha: sha256(data) };
}

/** `python3 -m http.server 8000` in `ns` serving `dir` on every address (ours exists only once the device does), once it serves. */
export async function httpServer(ns: Netns, dir: string): Promise<Proc> {
  const http = ns.spawn('python3', ['-u', '-m', 'http.server', '8000', '--bind', '0.0.0.0', '--directory', dir], 'http.server');
  await http.waitLine(/Serving HTTP/);
  return http;
}

/** The kernel-side `sink` peer on 0.0.0.0:`port` (`more` arguments after), once it listens. */
export async function kernelSink(ns: Netns, port = 5001, ...more: string[]): Promise<Proc> {
  const sink = ns.peer(['sink', '0.0.0.0', String(port), ...more]);
  await sink.waitLine(/"event": "listening"/);
  return sink;
}

/** Sends `signal` to a long-running command and resolves to its exit code. */
export async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM', timeoutMs?: number): Promise<number> {
  p.kill(signal);
  return p.exit(timeoutMs);
}

/** Asserts nothing of ours is left in `ns`: no process, no device but lo. */
export async function expectNothingLeft(ns: Netns): Promise<void> {
  expect(await ns.pids()).toEqual([]);
  expect(await ns.links()).toEqual(['lo']);
}

/** Waits until the watchdog and socat have exited and `dev` is gone (what they do alone after a SIGKILL of the CLI). */
export async function untilCleanedUp(ns: Netns, dev: string): Promise<void> {
  await until(async () => (await ns.pids()).length === 0, 5000, 'watchdog and socat to exit');
  await until(async () => (await ns.links()).join() === 'lo', 5000, `${dev} removed`);
}

/**
 * Our `get` (after the tun options `tunArgs`) of a `size`-byte random file from python3's http.server
 * in `ns`: the result line names its length and sha256, the command exits 0, the file written is identical.
 */
export async function expectHttpGet(ns: Netns, dir: string, size: number, tunArgs: string[] = []): Promise<void> {
  const { sha } = randomFile(dir, 'blob.bin', size);
  await httpServer(ns, dir);
  const out = join(dir, 'got.bin');
  const get = await ns.tun([...tunArgs, 'get', 'http://10.77.0.1:8000/blob.bin', '--out', out]);
  expect(await get.waitLine(/^get /, 60_000)).toBe(`get http://10.77.0.1:8000/blob.bin status 200 bytes ${size} sha256 ${sha}`);
  expect(await get.exit()).toBe(0);
  expect(sha256(readFileSync(out))).toBe(sha);
}

/** Our `send` (after the tun options `tunArgs`) of `size` seeded bytes to the kernel's sink: it got them all, with the sha256 we report. */
export async function expectSendToSink(ns: Netns, size: number, tunArgs: string[] = [], timeoutMs = 60_000): Promise<void> {
  const sink = await kernelSink(ns);
  const send = await ns.tun([...tunArgs, 'send', '10.77.0.1:5001', '--bytes', String(size), '--seed', '7']);
  const line = await send.waitLine(/^send /, timeoutMs);
  expect(await send.exit()).toBe(0);
  const r = await sink.waitJson(/"event": "done"/);
  expect(r.received).toBe(size);
  expect(line).toBe(`send 10.77.0.1:5001 bytes ${size} sha256 ${r.sha256}`);
}
