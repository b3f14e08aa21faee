// Connection endings against the kernel: close ordering and TIME_WAIT, refused connections, peers
// killed mid-transfer.
import { afterAll, expect, it } from 'vitest';
import { Netns, destroyAll, until } from './netns.js';
import { describeInterop, kernelSink, stop } from './suite.js';

/** Established or TIME_WAIT sockets the kernel has, one `ss -tan` line each (header dropped). */
async function kernelSockets(ns: Netns, state: string): Promise<string[]> {
  const r = await ns.exec('ss', ['-tanH', 'state', state]);
  return r.stdout.split('\n').filter((l) => l.trim());
}

describeInterop('tun connection endings with the kernel', () => {
  afterAll(destroyAll);

  it('kernel closes first: the kernel ends in TIME_WAIT, we go CLOSE_WAIT -> LAST_ACK -> CLOSED', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['--log-states', 'echo', '--port', '7']);
    const client = ns.peer(['echo-client', '10.77.0.2', '7', '10000']);
    const done = await client.waitJson(/"event": "done"/);
    expect(done.received_sha256).toBe(done.sent_sha256);
    await tun.waitLine(/ LAST_ACK -> CLOSED$/, 10_000, true);
    const states = tun.errLines.filter((l) => l.startsWith('state ')).map((l) => l.split(' ').slice(-3).join(' '));
    expect(states).toEqual(['LISTEN -> SYN_RCVD', 'SYN_RCVD -> ESTABLISHED', 'ESTABLISHED -> CLOSE_WAIT', 'CLOSE_WAIT -> LAST_ACK', 'LAST_ACK -> CLOSED']);
    const tw = await kernelSockets(ns, 'time-wait');
    expect(tw).toHaveLength(1);
    expect(tw[0]).toMatch(new RegExp(`10\\.77\\.0\\.1:${done.local ?? '\\d+'}\\s+10\\.77\\.0\\.2:7`));
    await stop(tun);
    await ns.destroy();
  });

  it('we close first: our connection ends in TIME_WAIT, the kernel has none', async () => {
    const ns = await Netns.create();
    const sink = await kernelSink(ns);
    const send = await ns.tun(['--log-states', 'send', '10.77.0.1:5001', '--bytes', '100000']);
    expect(await send.exit()).toBe(0);
    const done = await sink.waitJson(/"event": "done"/);
    expect(send.lines).toContain(`send 10.77.0.1:5001 bytes 100000 sha256 ${done.sha256}`);
    const states = send.errLines.filter((l) => l.startsWith('state ')).map((l) => l.split(' ').slice(-3).join(' '));
    expect(states.slice(0, 3)).toEqual(['CLOSED -> SYN_SENT', 'SYN_SENT -> ESTABLISHED', 'ESTABLISHED -> FIN_WAIT_1']);
    expect(states.at(-1)).toMatch(/-> TIME_WAIT$/);
    expect(await kernelSockets(ns, 'time-wait')).toEqual([]);
    await ns.destroy();
  });

  it('our client to a kernel port with no listener gets ECONNREFUSED', async () => {
    const ns = await Netns.create();
    const send = await ns.tun(['send', '10.77.0.1:9', '--bytes', '10']);
    expect(await send.exit()).toBe(1);
    expect(send.lines).toContain('send 10.77.0.1:9 error ECONNREFUSED after 0 bytes queued');
    await ns.destroy();
  });

  it('our send stopped by SIGTERM before the peer read everything reports ECONNABORTED, not a result', async () => {
    const ns = await Netns.create();
    // Nobody owns 10.77.0.9 (the namespace does not forward): our SYN goes unanswered.
    const send = await ns.tun(['send', '10.77.0.9:9', '--bytes', '1000']);
    expect(await stop(send)).toBe(143);
    expect(send.lines.filter((l) => l.startsWith('send '))).toEqual(['send 10.77.0.9:9 error ECONNABORTED after 0 bytes queued']);
    await ns.destroy();
  });

  it('a kernel client to our closed port is refused', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['echo', '--port', '7']);
    const client = ns.peer(['connect', '10.77.0.2', '8']);
    expect(await client.waitJson(/"event"/)).toEqual({ event: 'error', error: 'ECONNREFUSED' });
    await stop(tun);
    await ns.destroy();
  });

  it('kernel sender killed mid-transfer: we see its FIN and report end of stream with the bytes it sent', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['discard', '--port', '9']);
    const src = ns.peer(['source', '10.77.0.2', '9', String(20 << 20), String(3 << 20)]);
    const stalled = await src.waitJson(/"event": "stalled"/, 30_000);
    expect(tun.lines.filter((l) => l.startsWith('discard'))).toEqual([]); // still open
    src.kill('SIGKILL');
    const line = await tun.waitLine(/^discard /, 10_000);
    expect(line).toMatch(new RegExp(`^discard 10\\.77\\.0\\.1:\\d+ bytes ${stalled.sent} sha256 ${stalled.sha256} eof$`));
    await stop(tun);
    await ns.destroy();
  });

  it('kernel receiver killed with unread data: its RST gives us ECONNRESET', async () => {
    const ns = await Netns.create();
    const sink = await kernelSink(ns, 5001, 'noread');
    const send = await ns.tun(['send', '10.77.0.1:5001', '--bytes', String(20 << 20)]);
    await sink.waitLine(/"event": "accepted"/);
    // Wait until the kernel holds unread bytes, so closing it sends RST (RFC 2525 §2.17).
    await until(async () => (await kernelSockets(ns, 'established')).some((l) => /^\s*[1-9]\d*\s.*:5001\s/.test(l)), 10_000, 'unread data at the kernel');
    sink.kill('SIGKILL');
    expect(await send.exit(15_000)).toBe(1);
    expect(send.lines.at(-1)).toMatch(/^send 10\.77\.0\.1:5001 error ECONNRESET after \d+ bytes queued$/);
    await ns.destroy();
  });
});
