// Bounded replies to unacceptable segments (RFC 5961 §7, Linux tcp_oow_rate_limited and
// tcp_send_challenge_ack): each connection answers at most one unacceptable segment per
// invalidRateLimitMs, challenge ACKs also draw on an engine-wide budget per second, and so do RSTs
// for segments of no connection. The budgets are drawn at random each second (keyed by the engine's
// secret), so an attacker counting the replies it gets cannot tell whether someone else used one
// (the CVE-2016-5696 side channel).
import { Stat } from '../abi';
import { Conn } from './conn';
import { cfgInvalidRateLimitMs, cfgChallengeAckLimit, cfgRstLimit } from '../config';
import { nowMs, tick8ms } from './clock';
import { statBump } from './stats';
import { siphash } from './isn';
import { TCP_SYN, TCP_FIN } from '../wire/tcp';
import { OPT_RATE_LIMIT } from '../options';

/** Milliseconds per tick of Conn.oowAckTick (a u16: it wraps after 524 s, as Linux's jiffies do after 49 days). */
const TICK_MS: f64 = 8;

/**
 * Linux __tcp_oow_rate_limited: true when `c` answered an unacceptable segment less than
 * invalidRateLimitMs ago (the reply is skipped); otherwise records now and returns false.
 */
function limited(c: Conn): bool {
  if (cfgInvalidRateLimitMs <= 0) return false;
  let now = tick8ms();
  let last = <u32>c.oowAckTick;
  if (last != 0 && <f64>((now - last) & 0xffff) * TICK_MS < cfgInvalidRateLimitMs) return true;
  c.oowAckTick = <u16>now;
  return false;
}

/**
 * Whether `c` may answer the unacceptable segment being processed (of `flags`, `dataLen` payload
 * bytes) with a duplicate ACK, an ACK of unsent data or a repeated SYN-ACK. A segment with data or
 * FIN and no SYN is always answered, as Linux does: it cannot be part of an ACK loop and its sender
 * needs the ACK. Skipped replies are counted.
 */
export function replyAllowed(c: Conn, flags: u32, dataLen: i32): bool {
  if (!OPT_RATE_LIMIT) return true;
  if ((dataLen > 0 || (flags & TCP_FIN)) && !(flags & TCP_SYN)) return true;
  if (!limited(c)) return true;
  statBump(Stat.OowAcksSkipped);
  return false;
}

/** Second of the current budgets, their draws and what is left (challenge ACKs, RSTs). */
let budgetSecond: f64 = -1;
let challengeLeft: i32 = 0;
let rstLeft: i32 = 0;

/** A budget for one second drawn from [limit/2, limit/2 + limit) (Linux: mean `limit`). */
function draw(limit: i32, kind: u64, second: f64): i32 {
  let half = (limit + 1) >> 1;
  return half + <i32>(siphash(0x6275646765740000 | kind, <u64>second) % <u64>limit);
}

/** Starts new budgets when the second changed. */
function budgetsNow(): void {
  let s = Math.floor(nowMs / 1000);
  if (s == budgetSecond) return;
  budgetSecond = s;
  challengeLeft = cfgChallengeAckLimit > 0 ? draw(cfgChallengeAckLimit, 1, s) : 0;
  rstLeft = cfgRstLimit > 0 ? draw(cfgRstLimit, 2, s) : 0;
}

/** RFC 5961 §7: whether `c` may send a challenge ACK now (its own interval first, then the engine's budget). */
export function challengeAllowed(c: Conn): bool {
  if (!OPT_RATE_LIMIT) return true;
  if (limited(c)) { statBump(Stat.ChallengeAcksSkipped); return false; }
  if (cfgChallengeAckLimit <= 0) return true;
  budgetsNow();
  if (challengeLeft <= 0) { statBump(Stat.ChallengeAcksSkipped); return false; }
  challengeLeft--;
  return true;
}

/** Whether a RST for a segment that belongs to no connection may go now (engine-wide budget). */
export function rstAllowed(): bool {
  if (!OPT_RATE_LIMIT) return true;
  if (cfgRstLimit <= 0) return true;
  budgetsNow();
  if (rstLeft <= 0) { statBump(Stat.RstsSkipped); return false; }
  rstLeft--;
  return true;
}
