// The bridge alone: packets reach Node intact, errors are clear, and nothing is left behind after
// SIGTERM or SIGKILL of the CLI.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CLI, Netns, cliForOthers, destroyAll, run, until } from './netns.js';
import { describeInterop, expectNothingLeft, stop, untilCleanedUp } from './suite.js';

describeInterop('tun bridge', () => {
  afterAll(destroyAll);

  it('delivers the kernel SYN to Node as one IPv4 packet with a valid checksum, and no IPv6', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['--dev', 'wt0', 'dump', '--count', '2']);
    expect(await ns.links()).toContain('wt0');
    const ipv6 = await ns.exec('cat', ['/proc/sys/net/ipv6/conf/wt0/disable_ipv6']);
    if (ipv6.code === 0) expect(ipv6.stdout.trim()).toBe('1');
    // A kernel connect() to our address: nothing answers, so the SYN is retransmitted.
    const client = ns.peer(['connect', '10.77.0.2', '7']);
    expect(await tun.exit(10_000)).toBe(0);
    client.kill('SIGKILL');
    const lines = tun.lines.filter((l) => !l.startsWith('ready'));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^10\.77\.0\.1\.\d+ > 10\.77\.0\.2\.7 proto 6 len 60 flags S checksum ok$/);
    // No IPv6 reached the bridge (router solicitations, MLD reports) while the device was up.
    expect(tun.errLines.find((l) => l.startsWith('tun: '))).toMatch(/, 0 non-IPv4 dropped$/);
    // The device goes away with the process.
    await until(async () => !(await ns.links()).includes('wt0'), 5000, 'wt0 removed');
    await ns.destroy();
  });

  it('removes the device and stops socat on SIGTERM', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['--dev', 'wt1', 'echo', '--port', '7']);
    expect((await ns.pids()).length).toBeGreaterThanOrEqual(3); // node, watchdog, socat
    expect(await stop(tun, 'SIGTERM', 10_000)).toBe(143);
    // The CLI waits for the watchdog before exiting: nothing may be left at that point.
    await expectNothingLeft(ns);
    await ns.destroy();
  });

  it('closes open connections on SIGTERM: the kernel peer sees our FIN', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['--dev', 'wt4', 'echo', '--port', '7']);
    // The ping byte's echo proves our side accepted each connection: a SIGTERM before that would
    // reset connections still in the accept queue (as Linux does when a listener closes).
    const peers = [1, 2].map((i) => ns.peer(['hold', '10.77.0.2', '7', 'ping'], `hold ${i}`));
    for (const p of peers) await p.waitLine(/"event": "connected"/);
    tun.kill('SIGTERM');
    for (const p of peers) expect(await p.waitJson(/"event": "closed"/, 10_000)).toEqual({ event: 'closed', how: 'eof' });
    expect(await tun.exit(10_000)).toBe(143);
    await ns.destroy();
  });

  it('shuts down the same way on SIGINT (exit 130)', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['--dev', 'wt3', 'discard', '--port', '9']);
    expect(await stop(tun, 'SIGINT', 10_000)).toBe(130);
    expect(tun.errLines).toContain('wasm-tcp tun: SIGINT, shutting down');
    await expectNothingLeft(ns);
    await ns.destroy();
  });

  it('leaves nothing behind when the CLI is killed with SIGKILL', async () => {
    const ns = await Netns.create();
    const tun = await ns.tun(['--dev', 'wt2', 'echo', '--port', '7']);
    expect(await stop(tun, 'SIGKILL', 5000)).toBe(137);
    // The watchdog notices the closed pipe, stops socat and deletes the device on its own.
    await untilCleanedUp(ns, 'wt2');
    await ns.destroy();
  });

  it('says clearly when it lacks root or the device name is taken', async () => {
    const ns = await Netns.create();
    // Another user may not read the checkout (a clone under /root): it runs a readable copy, from /.
    const noCap = await ns.exec('setpriv', ['--inh-caps=-all', '--bounding-set=-all', '--reuid=65534', '--regid=65534', '--clear-groups',
      'sh', '-c', 'cd / && exec "$@"', 'sh', process.execPath, cliForOthers(), 'tun', 'echo', '--port', '7']);
    expect(noCap.code).toBe(1);
    expect(noCap.stderr.trim()).toMatch(/^wasm-tcp tun: creating a TUN device needs root \(CAP_NET_ADMIN\)/);
    expect(noCap.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const taken = await ns.exec(process.execPath, [CLI, 'tun', '--dev', 'lo', 'echo', '--port', '7']);
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe("wasm-tcp tun: network device 'lo' already exists; pick another --dev");
    const usage = await run(process.execPath, [CLI, 'tun', 'echo']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/needs --port/);
    const badOut = await run(process.execPath, [CLI, 'tun', 'get', 'http://10.77.0.1/', '--out', '/nonexistent/dir/x']);
    expect(badOut.code).toBe(2);
    expect(badOut.stderr.trim()).toBe("wasm-tcp tun: cannot write '/nonexistent/dir/x': ENOENT (see wasm-tcp tun --help)");
    await ns.destroy();
  });

  it('says clearly when /dev/net/tun or socat is missing', async () => {
    const ns = await Netns.create();
    const tun = [process.execPath, CLI, 'tun', 'echo', '--port', '7'];
    // A private mount namespace hides /dev/net under an empty tmpfs, for this command only.
    const noDev = await ns.exec('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /dev/net && exec "$@"', 'sh', ...tun]);
    expect(noDev.code).toBe(1);
    expect(noDev.stderr.trim()).toMatch(/^wasm-tcp tun: \/dev\/net\/tun is missing or not accessible \(load the tun module/);
    // A PATH holding `ip` but no socat.
    const bin = mkdtempSync(join(tmpdir(), 'wasm-tcp-path-'));
    try {
      const ip = (await run('sh', ['-c', 'command -v ip'])).stdout.trim();
      symlinkSync(ip, join(bin, 'ip'));
      const noSocat = await ns.exec('env', [`PATH=${bin}`, ...tun]);
      expect(noSocat.code).toBe(1);
      expect(noSocat.stderr.trim()).toBe("wasm-tcp tun: 'socat' not found on PATH (install it: apt-get install socat)");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    expect(await ns.links()).toEqual(['lo']);
    await ns.destroy();
  });
});
