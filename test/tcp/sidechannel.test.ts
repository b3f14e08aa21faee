// CVE-2016-5696 (issue 13 item 4): an off-path attacker spoofs a RST into a victim connection with a
// guessed sequence number, then counts the challenge ACKs its own connections can still draw in that
// second. With one fixed engine-wide budget the count is one lower when the guess was in the window
// (the victim spent a challenge ACK). The budget is now drawn at random each second (and each
// connection has its own interval), so the count no longer tells a hit from a miss.
import { describe, expect, it } from 'vitest';
import { Harness, ACK, SYN, RST, PEER_ISS, LPORT, RPORT, REMOTE, ip } from './harness.js';

const ATTACKER = ip(10, 6, 6, 6);

/** Opens a passive connection from src:sport; returns the peer's next sequence number. */
function open(h: Harness, src: number, sport: number): number {
  h.send({ src, sport, seq: PEER_ISS, flags: SYN });
  const sa = h.out.splice(0).find((s) => s.dport === sport && s.dst === src)!;
  h.send({ src, sport, seq: PEER_ISS + 1, ack: sa.seq + 1, flags: ACK });
  h.clear();
  return PEER_ISS + 1;
}

describe('challenge-ACK side channel (CVE-2016-5696)', () => {
  it("the attacker's count of challenge ACKs no longer tells whether its spoofed RST landed in the victim's window", () => {
    const limit = 20;
    const h = new Harness({ challengeAckLimit: limit });
    h.listener = h.e.listen(LPORT);
    const victimSeq = open(h, REMOTE, RPORT);
    const probes = 2 * limit;
    for (let i = 0; i < probes; i++) open(h, ATTACKER, 1000 + i);
    let x = 99;
    const rnd = () => { x = (x * 1103515245 + 12345) >>> 0; return x >>> 16; };
    const trials: { hit: boolean; count: number }[] = [];
    let victimChallenges = 0;
    for (let t = 0; t < 300; t++) {
      h.tick(1000);
      const hit = (rnd() & 1) === 1;
      // The spoofed RST: in the victim's window but not at RCV.NXT (a hit), or outside it (a miss).
      h.send({ src: REMOTE, sport: RPORT, seq: (victimSeq + (hit ? 1000 : 1 << 30)) >>> 0, flags: RST });
      victimChallenges += h.out.splice(0).filter((s) => s.dst === REMOTE).length;
      // The attacker's probes on its own connections: one in-window RST each.
      for (let i = 0; i < probes; i++) h.send({ src: ATTACKER, sport: 1000 + i, seq: PEER_ISS + 100, flags: RST });
      trials.push({ hit, count: h.out.splice(0).filter((s) => s.dst === ATTACKER).length });
    }
    const hits = trials.filter((t) => t.hit).length;
    expect(hits).toBeGreaterThan(100);
    expect(victimChallenges).toBeGreaterThan(hits * 0.9); // a hit really spends a challenge ACK
    // The count varies from second to second over about `limit` values ...
    const counts = new Set(trials.map((t) => t.count));
    expect(counts.size).toBeGreaterThan(limit / 2);
    // ... so the best threshold on it guesses hit or miss barely better than a coin.
    let best = 0;
    for (let cut = 0; cut <= probes + 1; cut++) {
      const right = trials.filter((t) => (t.count < cut) === t.hit).length;
      best = Math.max(best, right / trials.length, 1 - right / trials.length);
    }
    expect(best).toBeLessThan(0.62);
  });
});
