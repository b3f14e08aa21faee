// Bulk data between our stack and the kernel's TCP, both directions, checked by sha256.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Netns, destroyAll } from './netns.js';
import { describeInterop } from './suite.js';

const MB = 1 << 20;

describeInterop('tun transfers with the kernel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-interop-'));
  afterAll(async () => {
    await destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kernel client -> our echo: 1 MB of random bytes come back identical', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['echo', '--port', '7']);
    const client = ns.peer(['echo-client', '10.77.0.2', '7', String(MB)]);
    const r = await client.waitJson(/"event": "done"/, 30_000);
    expect(r.received).toBe(MB);
    expect(r.received_sha256).toBe(r.sent_sha256);
    expect(await tun.waitLine(/^echo 10\.77\.0\.1:\d+ bytes/)).toMatch(/ bytes 1048576$/);
    tun.kill('SIGTERM');
    expect(await tun.exit()).toBe(143);
    await ns.destroy();
  });

  it('our get <- python3 -m http.server: a 20 MB file, sha256 identical', async () => {
    const file = join(dir, 'blob.bin');
    const data = randomBytes(20 * MB);
    writeFileSync(file, data);
    const sha = createHash('sha256').update(data).digest('hex');
    const ns = await Netns.create();
    // 10.77.0.1 exists only once the device does, so the kernel server listens on every address.
    const http = ns.spawn('python3', ['-u', '-m', 'http.server', '8000', '--bind', '0.0.0.0', '--directory', dir], 'http.server');
    await http.waitLine(/Serving HTTP/);
    const out = join(dir, 'got.bin');
    const get = await ns.tun(['get', 'http://10.77.0.1:8000/blob.bin', '--out', out]);
    const line = await get.waitLine(/^get /, 60_000);
    expect(line).toBe(`get http://10.77.0.1:8000/blob.bin status 200 bytes ${20 * MB} sha256 ${sha}`);
    expect(await get.exit()).toBe(0);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(sha);
    await ns.destroy();
  });

  it('our get <- a chunked HTTP/1.1 response (chunk extensions, trailer): body sha256 identical', async () => {
    const ns = await Netns.create();
    const server = ns.peer(['chunked-server', '8080', String(3 * MB + 12345)]);
    await server.waitLine(/"event": "listening"/);
    const get = await ns.tun(['get', 'http://10.77.0.1:8080/x?y=1']);
    const line = await get.waitLine(/^get /, 30_000);
    expect(await get.exit()).toBe(0);
    const sent = await server.waitJson(/"event": "done"/);
    expect(sent.request).toBe('GET /x?y=1 HTTP/1.1');
    expect(line).toBe(`get http://10.77.0.1:8080/x?y=1 status 200 bytes ${3 * MB + 12345} sha256 ${sent.sha256}`);
    await ns.destroy();
  });

  it('kernel client <- our serve: the file arrives whole, then our FIN', async () => {
    const file = join(dir, 'served.bin');
    const data = randomBytes(5 * MB + 3);
    writeFileSync(file, data);
    const sha = createHash('sha256').update(data).digest('hex');
    const ns = await Netns.create();
    const tun = await ns.tun(['serve', file, '--port', '8080']);
    // echo-client with 0 bytes: half-closes at once, then reads to EOF.
    const client = ns.peer(['echo-client', '10.77.0.2', '8080', '0']);
    const r = await client.waitJson(/"event": "done"/, 30_000);
    expect(r.received).toBe(data.length);
    expect(r.received_sha256).toBe(sha);
    expect(await tun.waitLine(/^serve /)).toMatch(new RegExp(`^serve 10\\.77\\.0\\.1:\\d+ bytes ${data.length} sha256 ${sha}$`));
    tun.kill('SIGTERM');
    await tun.exit();
    await ns.destroy();
  });

  it('kernel sends 20 MB to our discard; sha256 identical', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['discard', '--port', '9']);
    const src = ns.peer(['source', '10.77.0.2', '9', String(20 * MB)]);
    const r = await src.waitJson(/"event": "done"/, 60_000);
    const line = await tun.waitLine(/^discard /, 30_000);
    expect(line).toMatch(new RegExp(`^discard 10\\.77\\.0\\.1:\\d+ bytes ${20 * MB} sha256 ${r.sha256} eof$`));
    tun.kill('SIGTERM');
    await tun.exit();
    await ns.destroy();
  });

  it('our send pushes 20 MB to a kernel listener; sha256 identical', async () => {
    const ns = await Netns.create();
    const sink = ns.peer(['sink', '0.0.0.0', '5001']);
    await sink.waitLine(/"event": "listening"/);
    const send = await ns.tun(['send', '10.77.0.1:5001', '--bytes', String(20 * MB), '--seed', '7']);
    const line = await send.waitLine(/^send /, 60_000);
    expect(await send.exit()).toBe(0);
    const r = await sink.waitJson(/"event": "done"/);
    expect(r.received).toBe(20 * MB);
    expect(line).toBe(`send 10.77.0.1:5001 bytes ${20 * MB} sha256 ${r.sha256}`);
    await ns.destroy();
  });
});
