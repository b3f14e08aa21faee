// Interop harness: throwaway network namespaces, processes inside them, and a clean-up that runs even
// when a test fails. Needs root, /dev/net/tun, socat, ip and python3. No vitest here (bench/tun uses it).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above this module holding test/interop/peer.py (bundles move it). */
const ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test/interop/peer.py')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
/** The CLI under test (built by `npm run build`; WASM_TCP_CLI overrides it). */
export const CLI = process.env.WASM_TCP_CLI ?? join(ROOT, 'dist/cli.js');
/** The kernel-side peer script. */
export const PEER = join(ROOT, 'test/interop/peer.py');

let othersCopy: string | undefined;

/**
 * The CLI as another user (uid 65534) can run it: a copy of dist/ in a world-readable temporary
 * directory, since the checkout may sit where others cannot read (under /root, in a `mktemp -d`).
 * Made once, removed by `destroyAll()`.
 */
export function cliForOthers(): string {
  if (!othersCopy) {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-cli-'));
    cpSync(dirname(CLI), join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n'); // dist/ is ESM
    chmodSync(dir, 0o755);
    othersCopy = join(dir, 'dist', 'cli.js');
  }
  return othersCopy;
}

function which(tool: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(`${d}/${tool}`));
}

/** Why the interop tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (TUN devices and network namespaces need root)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  for (const tool of ['ip', 'socat', 'python3', 'ss']) if (!which(tool)) return `'${tool}' is not installed`;
  if (!existsSync(CLI)) return `${CLI} is missing (run npm run build)`;
  return undefined;
}

/** Runs a command to completion (async, bounded); resolves with its exit code and output. */
export function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      // A run cut off by the timeout says so (a loaded machine can slow a tool past it).
      const note = err && (err as { killed?: boolean }).killed ? `\n[${cmd} killed after ${timeoutMs} ms]` : '';
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + note });
    });
  });
}

/** A process started inside a namespace, in its own process group, with its output split in lines. */
export class Proc {
  /** stdout lines so far. */
  readonly lines: string[] = [];
  /** stderr lines so far. */
  readonly errLines: string[] = [];
  /** Resolves with the exit code (or 128 + signal number) once the process is gone. */
  readonly exited: Promise<number>;
  private waiters: { re: RegExp; stderr: boolean; resolve: (l: string) => void }[] = [];

  constructor(readonly child: ChildProcess, readonly label: string) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 0));
      });
      child.once('error', () => resolve(127));
    });
    const watch = (stream: NodeJS.ReadableStream | null, into: string[], stderr: boolean) => {
      if (!stream) return;
      createInterface({ input: stream }).on('line', (line) => {
        into.push(line);
        for (const w of this.waiters.filter((x) => x.stderr === stderr && x.re.test(line))) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      });
    };
    watch(child.stdout, this.lines, false);
    watch(child.stderr, this.errLines, true);
  }

  /** Resolves with the first line (already seen or future) matching `re`; rejects on exit or timeout. */
  waitLine(re: RegExp, timeoutMs = 15_000, stderr = false): Promise<string> {
    const seen = (stderr ? this.errLines : this.lines).find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { re, stderr, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.label}: no line matching ${re} within ${timeoutMs} ms\n${this.transcript()}`));
      }, timeoutMs);
      this.waiters.push(w);
      void this.exited.then((code) => {
        // Give readline a moment to deliver the last lines before declaring failure.
        setTimeout(() => {
          if (!this.waiters.includes(w)) return;
          this.waiters.splice(this.waiters.indexOf(w), 1);
          clearTimeout(timer);
          reject(new Error(`${this.label}: exited (${code}) before printing a line matching ${re}\n${this.transcript()}`));
        }, 50);
      });
    });
  }

  /** The parsed JSON of the first stdout line matching `re`. */
  async waitJson<T = Record<string, any>>(re: RegExp, timeoutMs?: number): Promise<T> {
    return JSON.parse(await this.waitLine(re, timeoutMs)) as T;
  }

  /** Resolves with the exit code, or rejects after `timeoutMs`. */
  async exit(timeoutMs = 30_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label}: still running after ${timeoutMs} ms\n${this.transcript()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try { process.kill(-this.child.pid, signal); } catch { /* already gone */ }
  }

  /** Everything it printed, for failure messages. */
  transcript(): string {
    return [`--- ${this.label} stdout`, ...this.lines, `--- ${this.label} stderr`, ...this.errLines].join('\n');
  }
}

let counter = 0;
const live = new Set<Netns>();

/** A network namespace of our own (unique name, `lo` up), and everything started in it. */
export class Netns {
  private readonly procs: Proc[] = [];

  private constructor(readonly name: string) {}

  /** Creates a fresh namespace; stale ones from dead test processes are removed first. */
  static async create(): Promise<Netns> {
    await sweepStale();
    const name = `wti-${process.pid}-${++counter}-${randomBytes(2).toString('hex')}`;
    const add = await run('ip', ['netns', 'add', name]);
    if (add.code !== 0) throw new Error(`ip netns add ${name} failed: ${add.stderr.trim()}`);
    const ns = new Netns(name);
    live.add(ns);
    const lo = await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    if (lo.code !== 0) throw new Error(`lo up in ${name} failed: ${lo.stderr.trim()}`);
    return ns;
  }

  /** Starts `cmd args` inside the namespace, in its own process group. */
  spawn(cmd: string, args: string[], label = cmd): Proc {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new Proc(child, label);
    this.procs.push(p);
    return p;
  }

  /** Starts `wasm-tcp tun ARGS` and waits for its `ready <dev> <addr>` line. */
  async tun(args: string[], label = 'tun'): Promise<Proc> {
    const p = this.spawn(process.execPath, [CLI, 'tun', ...args], label);
    await p.waitLine(/^ready \S+ \d+\.\d+\.\d+\.\d+$/, 15_000);
    return p;
  }

  /** Starts the kernel-side peer (test/interop/peer.py). */
  peer(args: string[], label = `peer ${args[0]}`): Proc {
    return this.spawn('python3', ['-u', PEER, ...args], label);
  }

  /** Runs a command inside the namespace to completion. */
  exec(cmd: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], timeoutMs);
  }

  /** PIDs of processes living in the namespace. */
  async pids(): Promise<number[]> {
    const r = await run('ip', ['netns', 'pids', this.name]);
    return r.stdout.split(/\s+/).filter(Boolean).map(Number);
  }

  /** Names of the network devices in the namespace. */
  async links(): Promise<string[]> {
    const r = await run('ip', ['-n', this.name, '-o', 'link', 'show']);
    return [...r.stdout.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1]);
  }

  /** Kills everything still running in the namespace, then deletes it. */
  async destroy(): Promise<void> {
    live.delete(this);
    for (const p of this.procs) p.kill('SIGKILL');
    await killAll(this.name);
    await run('ip', ['netns', 'del', this.name]);
  }
}

async function killAll(name: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await run('ip', ['netns', 'pids', name]);
    const pids = r.stdout.split(/\s+/).filter(Boolean).map(Number);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await new Promise((res) => setTimeout(res, 25));
  }
}

/** Removes namespaces left by test processes that died before their clean-up ran. */
async function sweepStale(): Promise<void> {
  const r = await run('ip', ['netns', 'list']);
  for (const m of r.stdout.matchAll(/^(wti-(\d+)-\S+)/gm)) {
    const pid = Number(m[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    await killAll(m[1]);
    await run('ip', ['netns', 'del', m[1]]);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Destroys every namespace this process still has, and the CLI copy for other users (for afterAll / afterEach). */
export async function destroyAll(): Promise<void> {
  await Promise.all([...live].map((ns) => ns.destroy()));
  if (othersCopy) rmSync(dirname(dirname(othersCopy)), { recursive: true, force: true });
  othersCopy = undefined;
}

/** Polls `check` every 20 ms until it returns a truthy value or `timeoutMs` passes. */
export async function until<T>(check: () => Promise<T> | T, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
