// Bulk data between our stack and the kernel's TCP, both directions, checked by sha256.
import { expect, it } from 'vitest';
import { Netns } from './netns.js';
import { describeInterop, expectHttpGet, expectSendToSink, randomFile, sha256, stop, suiteDir } from './suite.js';

const MB = 1 << 20;

describeInterop('tun transfers with the kernel', () => {
  const dir = suiteDir('wasm-tcp-interop-');

  it('kernel client -> our echo: 1 MB of random bytes come back identical', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['echo', '--port', '7']);
    const client = ns.peer(['echo-client', '10.77.0.2', '7', String(MB)]);
    const r = await client.waitJson(/"event": "done"/, 30_000);
    expect(r.received).toBe(MB);
    expect(r.received_sha256).toBe(r.sent_sha256);
    expect(await tun.waitLine(/^echo 10\.77\.0\.1:\d+ bytes/)).toMatch(/ bytes 1048576$/);
    expect(await stop(tun)).toBe(143);
    await ns.destroy();
  });

  it('our get <- python3 -m http.server: a 20 MB file, sha256 identical', async () => {
    const ns = await Netns.create();
    await expectHttpGet(ns, dir, 20 * MB);
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
    const { file, data, sha } = randomFile(dir, 'served.bin', 5 * MB + 3);
    const ns = await Netns.create();
    const tun = await ns.tun(['serve', file, '--port', '8080']);
    // echo-client with 0 bytes: half-closes at once, then reads to EOF.
    const client = ns.peer(['echo-client', '10.77.0.2', '8080', '0']);
    const r = await client.waitJson(/"event": "done"/, 30_000);
    expect(r.received).toBe(data.length);
    expect(r.received_sha256).toBe(sha);
    expect(await tun.waitLine(/^serve /)).toMatch(new RegExp(`^serve 10\\.77\\.0\\.1:\\d+ bytes ${data.length} sha256 ${sha}$`));
    await stop(tun);
    await ns.destroy();
  });

  it('kernel sends 20 MB to our discard; sha256 identical', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['discard', '--port', '9']);
    const src = ns.peer(['source', '10.77.0.2', '9', String(20 * MB)]);
    const r = await src.waitJson(/"event": "done"/, 60_000);
    const line = await tun.waitLine(/^discard /, 30_000);
    expect(line).toMatch(new RegExp(`^discard 10\\.77\\.0\\.1:\\d+ bytes ${20 * MB} sha256 ${r.sha256} eof$`));
    await stop(tun);
    await ns.destroy();
  });

  it('our send pushes 20 MB to a kernel listener; sha256 identical', async () => {
    const ns = await Netns.create();
    await expectSendToSink(ns, 20 * MB);
    await ns.destroy();
  });
});
