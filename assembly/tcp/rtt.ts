// Round-trip time estimation and the retransmission timeout (RFC 6298 §2–3, or Linux's variant).
import { Conn } from './conn';
import { cfgRtoInitialMs, cfgRtoMinMs, cfgRtoMaxMs, cfgLinuxRto } from '../config';

/** RFC 6298 §2.1: RTO before any sample. */
export function rtoInit(c: Conn): void {
  c.rto = <f32>cfgRtoInitialMs;
  c.srtt = 0;
  c.rttvar = 0;
}

/** The larger of two ms values (never NaN): a compare and a select; f64.max also orders NaN and −0, a longer macro through wasm2c. */
// @ts-ignore: decorator
@inline function larger(a: f64, b: f64): f64 {
  return a > b ? a : b;
}

/** RTO from `srtt` and `rttvar` (RFC 6298 §2.3, or Linux's variant), clamped to [rtoMin, rtoMax]. */
// @ts-ignore: decorator
@inline function rtoFrom(c: Conn, srtt: f64, rttvar: f64): void {
  let var4 = 4.0 * rttvar;
  let rto = cfgLinuxRto ? srtt + larger(var4, cfgRtoMinMs) : larger(srtt + larger(1.0, var4), cfgRtoMinMs);
  if (rto > cfgRtoMaxMs) rto = cfgRtoMaxMs;
  c.rto = <f32>rto;
}

/** RTO from srtt/rttvar (RFC 6298 §2.3, or Linux's variant), clamped to [rtoMin, rtoMax]; clears backoff. */
export function rtoCompute(c: Conn): void {
  if (c.srtt <= 0) return;
  rtoFrom(c, <f64>c.srtt, <f64>c.rttvar);
}

/** Feeds one RTT measurement `r` (ms) into srtt/rttvar (RFC 6298 §2.2–2.3). */
export function rttSample(c: Conn, r: f64): void {
  if (r < 0) return;
  if (r < 1) r = 1;
  // The smallest RTT seen, in 1/8 ms (RACK's reordering window, RFC 8985 §6.2).
  let t = <u32>(r * 8.0);
  if (c.minRtt == 0 || t < c.minRtt) c.minRtt = t;
  let s = <f64>c.srtt;
  let srtt: f32, rttvar: f32;
  if (s <= 0) {
    srtt = <f32>r;
    rttvar = <f32>(r / 2);
  } else {
    rttvar = <f32>(0.75 * <f64>c.rttvar + 0.25 * Math.abs(s - r));
    srtt = <f32>(0.875 * s + 0.125 * r);
  }
  c.srtt = srtt;
  c.rttvar = rttvar;
  rtoFrom(c, <f64>srtt, <f64>rttvar); // srtt > 0 now: rtoCompute's
}

/** Doubles the RTO after a timeout (RFC 6298 §5.5), up to rtoMax. */
export function rtoBackoff(c: Conn): void {
  let rto = <f64>c.rto * 2;
  c.rto = <f32>(rto > cfgRtoMaxMs ? cfgRtoMaxMs : rto);
}
