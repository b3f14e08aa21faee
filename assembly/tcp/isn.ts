// Initial sequence numbers, RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
// M a 4 µs clock, F SipHash-2-4 keyed with the host's seed. One hash per connection: its low 32 bits
// go into the ISN, its high 32 bits are the TSval offset (RFC 7323 §5.4), independent bits of one
// keyed PRF output, so seeing one tells nothing of the other.

let k0: u64 = 0x736f6d6570736575;
let k1: u64 = 0x646f72616e646f6d;
/** One-shot ISN override for tests (engine export testSetNextIss), or −1. */
export let issOverride: i64 = -1;

/** Sets the secret key from the host's 64-bit seed (spread over 128 bits with SplitMix64). */
export function isnSeed(seedLo: u32, seedHi: u32): void {
  let x: u64 = (<u64>seedHi << 32) | <u64>seedLo;
  k0 = splitmix(x);
  k1 = splitmix(x + 0x9e3779b97f4a7c15);
}

/** Makes the next ISN `v` (tests: sequence numbers that wrap mid-transfer). */
export function isnSetOverride(v: i64): void { issOverride = v; }

function splitmix(z: u64): u64 {
  z += 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** SipHash-2-4 of two 64-bit words (a 16-byte message). */
export function siphash(m0: u64, m1: u64): u64 {
  let v0: u64 = k0 ^ 0x736f6d6570736575;
  let v1: u64 = k1 ^ 0x646f72616e646f6d;
  let v2: u64 = k0 ^ 0x6c7967656e657261;
  let v3: u64 = k1 ^ 0x7465646279746573;
  let m2: u64 = <u64>16 << 56; // the last block: the message length, 16, in the top byte
  for (let w = 0; w < 3; w++) {
    let m = m0; // the blocks m0, m1, m2 in turn
    m0 = m1;
    m1 = m2;
    v3 ^= m;
    for (let r = 0; r < 2; r++) {
      v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
      v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
    }
    v0 ^= m;
  }
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

/** F(4-tuple): the keyed hash of the connection identifier. */
export function tupleHash(localAddr: u32, localPort: u32, remoteAddr: u32, remotePort: u32): u64 {
  return siphash((<u64>localAddr << 32) | <u64>remoteAddr, (<u64>localPort << 16) | <u64>remotePort);
}

/** The offset a connection adds to its TSval (RFC 7323 §5.4) from its tuple hash `h`: 0 without tsRandomOffset. */
// @ts-ignore: decorator
@inline export function tsOffsetOf(h: u64, random: bool): u32 {
  return random ? <u32>(h >> 32) : 0;
}

/** The TSval offset of the 4-tuple (the one connOpen gives it, for a connection made later from a SYN cookie). */
export function tsOffsetFor(localAddr: u32, localPort: u32, remoteAddr: u32, remotePort: u32, random: bool): u32 {
  return random ? tsOffsetOf(tupleHash(localAddr, localPort, remoteAddr, remotePort), true) : 0;
}

/** RFC 6528 ISN at time `now` (ms) from the tuple hash `h`, or the test override. */
export function isnOf(h: u64, now: f64): u32 {
  if (issOverride >= 0) {
    let v = <u32>issOverride;
    issOverride = -1;
    return v;
  }
  let m = <u32>(<u64>(now * 250.0)); // 4 µs ticks
  return m + <u32>h;
}

/** RFC 6528 ISN for the 4-tuple at time `now` (ms). */
export function isnFor(localAddr: u32, localPort: u32, remoteAddr: u32, remotePort: u32, now: f64): u32 {
  return isnOf(tupleHash(localAddr, localPort, remoteAddr, remotePort), now);
}
