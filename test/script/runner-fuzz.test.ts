// Random mixes of valid lines: the runner always reaches a verdict, never throws.
import { expect, it } from 'vitest';
import { createScriptEngine, ENGINE_CONFIG_KEYS } from '../../src/script/engine.js';
import { runScriptText } from '../../src/script/runner.js';
const OPEN = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <...>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
`;
const lines = ['+0 write(4, ..., 100) = 100', '+0 > P. 1:101(100) ack 1', '+.1 < . 1:1(0) ack 101 win 257', '+0 read(4, ..., 10) = -1 EAGAIN',
 '+0 close(4) = 0', '+0 > F. 101:101(0) ack 1', '+0 < F. 1:1(0) ack 102 win 257', '+0 shutdown(4, SHUT_WR) = 0', '+0 < R 1:1(0) win 0',
 '+0 poll([{fd=4, events=POLLIN, revents=0}], 1, 0) = 0', '+0...0.5 read(4, ..., 10) = 10', '+0 < P. 1:11(10) ack 1 win 257', '* > . 1:1(0) ack 11',
 '+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0', '+0 ioctl(4, SIOCINQ, [0]) = 0', '+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0',
 '+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0', '+0 connect(4, ..., ...) = 0', '+0 accept(3, ..., ...) = 5', '+0 close(3) = 0', '+1 < S 0:0(0) win 100', '+0 > R. 0:0(0) ack 1',
 '+0 < icmp unreachable host_unreachable [1:101(100)]', '+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 5', '+0 listen(5, 1) = 0', '+0 send(4, ..., 100, 0) = 100', '+0 recv(4, ..., 100, 0) = 0'];
it('runner never throws', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const count: Record<string, number> = {};
  for (let i = 0; i < 400; i++) {
    let text = OPEN;
    for (let j = 0; j < 1 + rnd(8); j++) text += lines[rnd(lines.length)] + '\n';
    try {
      const r = runScriptText(text, createScriptEngine, { profile: 'linux', configKeys: ENGINE_CONFIG_KEYS });
      count[r.verdict] = (count[r.verdict] ?? 0) + 1;
    } catch (e) {
      throw new Error(`${(e as Error).stack}\n--- script:\n${text}`);
    }
  }
  expect(count.PASS).toBeGreaterThan(0);
  expect(count.FAIL).toBeGreaterThan(0);
});
