// Ethernet II, ARP and ICMP views: per-field reads of hand-built packets, length checks, emit round trips.
import { describe, expect, it } from 'vitest';
import { REASON_NAMES } from '../../src/wire/reason.js';
import { wireEngine, refSum, addr } from './helpers.js';

const { e, mem, scratch } = wireEngine();
const reason = (name: string) => REASON_NAMES.indexOf(name);
const put = (b: number[] | Uint8Array, at = scratch) => { mem().set(b, at); return at; };

describe('Ethernet II view', () => {
  const f = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x08, 0x06];
  it('reads both MACs (as 16 + 32 bits) and the EtherType', () => {
    const p = put(f);
    expect(e.wireEthCheckLen(p, 14)).toBe(0);
    expect([e.wireEthDstHi(p), e.wireEthDstLo(p) >>> 0, e.wireEthSrcHi(p), e.wireEthSrcLo(p) >>> 0, e.wireEthType(p)])
      .toEqual([0x0211, 0x22334455, 0x0abb, 0xccddeeff, 0x0806]);
    expect(e.wireEthIsBroadcast(p)).toBe(0);
    expect(e.wireEthIsBroadcast(put([255, 255, 255, 255, 255, 255]))).toBe(1);
    expect(e.wireEthIsBroadcast(put([255, 255, 255, 255, 255, 254]))).toBe(0);
  });
  it('checkLen: 14 bytes at least', () => {
    expect(e.wireEthCheckLen(scratch, 13)).toBe(reason('eth-too-short'));
    expect(e.wireEthCheckLen(scratch, 0)).toBe(reason('eth-too-short'));
  });
  it('emit writes what the reads return', () => {
    expect(e.wireEthEmit(scratch + 1, 0xffff, 0xffffffff, 0x0211, 0x22334455, 0x0800)).toBe(14);
    expect([...mem().subarray(scratch + 1, scratch + 15)]).toEqual([255, 255, 255, 255, 255, 255, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00]);
  });
});

describe('ARP view (RFC 826, IPv4 over Ethernet)', () => {
  const arp = () => [0, 1, 8, 0, 6, 4, 0, 2, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 2, 0, 0, 0, 0, 2, 10, 0, 0, 2];
  it('reads the opcode, both hardware and protocol addresses', () => {
    const p = put(arp());
    expect(e.wireArpCheckLen(p, 28)).toBe(0);
    expect([e.wireArpOp(p), e.wireArpShaHi(p), e.wireArpShaLo(p), e.wireArpSpa(p) >>> 0, e.wireArpThaHi(p), e.wireArpThaLo(p), e.wireArpTpa(p) >>> 0])
      .toEqual([2, 0x0200, 1, addr('10.0.0.1'), 0x0200, 2, addr('10.0.0.2')]);
  });
  it('checkLen: 28 bytes, hardware type 1, protocol 0x0800, lengths 6 and 4', () => {
    expect(e.wireArpCheckLen(put(arp()), 27)).toBe(reason('arp-too-short'));
    for (const [at, v] of [[1, 6], [2, 0x86], [4, 8], [5, 16]]) {
      const b = arp();
      b[at] = v;
      expect(e.wireArpCheckLen(put(b), 28), `byte ${at}`).toBe(reason('arp-not-ipv4-ethernet'));
    }
  });
  it('emit round trip', () => {
    const p = scratch + 3;
    expect(e.wireArpEmit(p, 1, 0x0200, 0xaabbccdd, addr('10.0.0.9'), 0, 0, addr('10.0.0.7'))).toBe(28);
    expect(e.wireArpCheckLen(p, 28)).toBe(0);
    expect([e.wireArpOp(p), e.wireArpShaLo(p) >>> 0, e.wireArpSpa(p) >>> 0, e.wireArpTpa(p) >>> 0]).toEqual([1, 0xaabbccdd, addr('10.0.0.9'), addr('10.0.0.7')]);
  });
});

describe('ICMP view (RFC 792)', () => {
  it('reads type, code, checksum, echo id/seq and the next-hop MTU; checkLen needs 8 bytes', () => {
    const p = put([8, 0, 0, 0, 0x12, 0x34, 0x00, 0x07, 1, 2, 3]);
    expect(e.wireIcmpCheckLen(p, 8)).toBe(0);
    expect(e.wireIcmpCheckLen(p, 7)).toBe(reason('icmp-too-short'));
    expect([e.wireIcmpType(p), e.wireIcmpCode(p), e.wireIcmpEchoId(p), e.wireIcmpEchoSeq(p), e.wireIcmpNextHopMtu(p)]).toEqual([8, 0, 0x1234, 7, 7]);
  });
  it('setHeader stores a checksum that verifies (odd length too); one flipped bit fails it', () => {
    const p = put([8, 0, 0xff, 0xff, 0x12, 0x34, 0x00, 0x07, 1, 2, 3]);
    e.wireIcmpSetHeader(p, 11, 0, 0);
    expect(e.wireIcmpType(p)).toBe(0);
    expect(refSum(mem().subarray(p, p + 11))).toBe(0xffff);
    expect(e.wireIcmpChecksumOk(p, 11)).toBe(1);
    mem()[p + 9] ^= 4;
    expect(e.wireIcmpChecksumOk(p, 11)).toBe(0);
  });
});
