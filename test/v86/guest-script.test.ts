// scripts/guest.mjs (`npm run guest`): one clear line when apt cannot reach the archive, and no apt at
// all when build/guest is up to date.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imagesOrSkip } from './cases.js';

const manifest = await imagesOrSkip();
const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-guest-'));
// apt through a proxy on a closed loopback port: every download fails at once.
const aptConfig = join(dir, 'apt.conf');
writeFileSync(aptConfig, 'Acquire::http::Proxy "http://127.0.0.1:9";\nAcquire::https::Proxy "http://127.0.0.1:9";\nAcquire::Retries "0";\n');
const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/guest.mjs', '--quiet', ...args], {
  encoding: 'utf8', env: { ...process.env, APT_CONFIG: aptConfig }, timeout: 120_000,
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!manifest)('npm run guest', () => {
  it('fails with exit 1 and one line naming apt-get and the archive when the archive is unreachable', () => {
    const r = run('--out', join(dir, 'out'));
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm run guest: apt-get download linux-image-\S+:i386 busybox-static:i386 failed \(is the Debian archive reachable\?\): E: .*127\.0\.0\.1/);
  });

  it('asks apt nothing when build/guest is up to date (the same unreachable archive, exit 0, silent)', () => {
    const r = run();
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});
