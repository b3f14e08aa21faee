// The runner's verdicts on small scripts against the real engine: what passes, what fails
// (with the line and expected vs actual), what is skipped, and packetdrill's time rules.
import { describe, expect, it } from 'vitest';
import { OPEN, run } from './fixtures.js';

describe('script runner', () => {
  it('passes a correct script', () => {
    const r = run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n`);
    expect(r).toMatchObject({ verdict: 'PASS' });
  });

  it('fails on a wrong field with the line, expected and actual', () => {
    const r = run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 7\n`);
    expect(r.verdict).toBe('FAIL');
    expect(r.line).toBe(10);
    expect(r.message).toMatch(/ack: expected 7 vs actual 1/);
    expect(r.message).toMatch(/script: > P\. 1:1001\(1000\) ack 7/);
    expect(r.message).toMatch(/actual: 0\.100000 > P\. 1:1001\(1000\) ack 1 win \d+/);
  });

  it('fails when the packet comes outside the tolerance, and accepts it within', () => {
    const late = run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+.01 > P. 1:1001(1000) ack 1\n`);
    expect(late.verdict).toBe('FAIL');
    expect(late.message).toMatch(/timing error: expected outbound packet at 0\.110000 .* sent at 0\.100000/);
    expect(late.message).toMatch(/actual: 0\.100000 > P\. 1:1001\(1000\) ack 1 win \d+/);
    expect(run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+.003 > P. 1:1001(1000) ack 1\n`).verdict).toBe('PASS');
    expect(run(`--tolerance_usecs=20000\n${OPEN}+0 write(4, ..., 1000) = 1000\n+.01 > P. 1:1001(1000) ack 1\n`).verdict).toBe('PASS');
  });

  it('accepts * and time ranges for outbound packets', () => {
    expect(run(`${OPEN}+0 write(4, ..., 1000) = 1000\n* > P. 1:1001(1000) ack 1\n`).verdict).toBe('PASS');
    expect(run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n+.2~+.4 > P. 1:1001(1000) ack 1\n`).verdict).toBe('PASS'); // RTO 300 ms
    expect(run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+.2~+.4 > P. 1:1001(1000) ack 1\n`).verdict).toBe('FAIL'); // first copy at +0
    expect(run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n+.5~+.6 > P. 1:1001(1000) ack 1\n`).verdict).toBe('FAIL');
  });

  it('times out waiting for a packet that never comes', () => {
    const r = run(`${OPEN}+0 > P. 1:1001(1000) ack 1\n`);
    expect(r).toMatchObject({ verdict: 'FAIL', line: 9 });
    expect(r.message).toMatch(/timed out waiting for packet/);
  });

  it('aggregates consecutive segments into one expected line', () => {
    expect(run(`${OPEN}+0 write(4, ..., 5000) = 5000\n+0 > P. 1:5001(5000) ack 1\n`).verdict).toBe('PASS');
    const r = run(`${OPEN}+0 write(4, ..., 5000) = 5000\n+0 > P. 1:6001(6000) ack 1\n`);
    expect(r.verdict).toBe('FAIL');
    expect(r.message).toMatch(/payload length: expected 6000 vs actual 5000/);
  });

  it('checks syscall results and errno names', () => {
    const r = run(`${OPEN}+0 read(4, ..., 100) = 0\n`);
    expect(r.verdict).toBe('FAIL'); // blocking read with no data: packetdrill would hang
    expect(r.message).toMatch(/blocked, but the line has no '\.\.\.end' time/);
    const e = run(`${OPEN}+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n+0 read(4, ..., 100) = -1 ECONNRESET\n`);
    expect(e).toMatchObject({ verdict: 'FAIL', line: 10 });
    expect(e.message).toMatch(/failed with EAGAIN, expected ECONNRESET/);
    expect(run(`${OPEN}+0 fcntl(4, F_GETFL) = 0x2 (flags O_RDWR)\n+0 close(9) = -1 EBADF (Bad file descriptor)\n`).verdict).toBe('PASS');
  });

  it('runs blocking calls: they must return at their end time', () => {
    const ok = `${OPEN}+0...0.200 read(4, ..., 1000) = 10\n+.2 < P. 1:11(10) ack 1 win 257\n`;
    expect(run(ok).verdict).toBe('PASS');
    const wrong = run(`${OPEN}+0...0.300 read(4, ..., 1000) = 10\n+.2 < P. 1:11(10) ack 1 win 257\n`);
    expect(wrong).toMatchObject({ verdict: 'FAIL', line: 9 });
    expect(wrong.message).toMatch(/expected to return at 0\.400000 .* returned at 0\.300000/);
    const never = run(`${OPEN}+0...0.200 read(4, ..., 1000) = 10\n`);
    expect(never.verdict).toBe('FAIL');
    expect(never.message).toMatch(/still blocked/);
  });

  it('anchors an inbound packet after an inbound packet to its scripted time', () => {
    const log: string[] = [];
    const r = run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n+.1 < . 1:1(0) ack 1001 win 257\n+.1 < P. 1:11(10) ack 1001 win 257\n+0 > . 1001:1001(0) ack 11\n`, { log: (l) => log.push(l) });
    expect(r.verdict).toBe('PASS');
    expect(log.some((l) => l.startsWith('0.300000 < P. 1:11(10)'))).toBe(true);
  });

  it('maps TS ecr to the live TS val of an earlier outbound line, and errors otherwise', () => {
    const ts = `\`./defaults.sh\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 5,nop,wscale 8>
`;
    expect(run(`${ts}+.1 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 6 ecr 100>\n+0 accept(3, ..., ...) = 4\n`).verdict).toBe('PASS');
    const bad = run(`${ts}+.1 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 6 ecr 99>\n`);
    expect(bad).toMatchObject({ verdict: 'FAIL', line: 7 });
    expect(bad.message).toMatch(/unable to infer live TS ecr/);
  });

  it('skips tcp_info blocks and unsupported calls, reporting why', () => {
    const code = run(`${OPEN}+0 %{ assert tcpi_rto == 300000 }%\n`);
    expect(code.verdict).toBe('SKIP');
    expect(code.message).toMatch(/line 9: %\{ … \}% block not evaluated/);
    const bad = run(`${OPEN}+0 write(4, ..., 1000) = 1000\n+0 %{ pass }%\n+0 > P. 1:1001(1000) ack 2\n`);
    expect(bad.verdict).toBe('FAIL'); // a skipped block never hides a failure
    const sc = run(`${OPEN}+0 setsockopt(4, SOL_TCP, TCP_CONGESTION, "cubic", 5) = 0\n`);
    expect(sc).toMatchObject({ verdict: 'SKIP', line: 9 });
    expect(sc.message).toMatch(/setsockopt\(level 6, option 13\) is not supported/);
    expect(run(`--ip_version=ipv6\n${OPEN}`).verdict).toBe('SKIP');
    expect(run(`${OPEN}+0 setsockopt(4, SOL_SOCKET, SO_RCVBUF, [4096], 4) = 0\n`).verdict).toBe('SKIP');
    expect(run(`${OPEN}+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [200000], 4) = 0\n`).verdict).toBe('PASS');
  });

  it('reports parse errors as a failure at their line', () => {
    const r = run(`${OPEN}+0 > P. 1:1001(100) ack 1\n`);
    expect(r).toMatchObject({ verdict: 'FAIL', line: 9 });
    expect(r.message).toMatch(/parse error: .*inconsistent sequence range/);
  });

  it('applies sysctl overrides from commands and reports what it cannot apply', () => {
    const r = run(`\`./defaults.sh; sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_frto=2; tc qdisc show\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
`);
    expect(r.verdict).toBe('PASS'); // SACK off: no sackOK in the SYN-ACK
    expect(r.notes.join('\n')).toMatch(/tcp_frto=2: F-RTO is not implemented/);
    expect(r.notes.join('\n')).toMatch(/command not interpreted: tc qdisc show/);
  });

  it('uses the Linux profile only when asked or loaded by defaults.sh', () => {
    const noInclude = OPEN.replace('`./defaults.sh`\n', '');
    expect(run(noInclude, { profile: 'linux' }).verdict).toBe('PASS');
    const other = run(noInclude, { profile: 'default' }); // default: wscale from a 64 KiB buffer
    expect(other.verdict).toBe('FAIL');
    expect(other.message).toMatch(/options: expected <mss 1460,nop,nop,sackOK,nop,wscale 8> vs actual <mss 1460,nop,nop,sackOK,nop,wscale 1>/);
  });
});
