// Hand-made recordings for the renderer tests (not produced by engines).
import type { Recording } from '../../src/scenario/recording.js';

/** A three-way handshake, then the client sends 5 bytes; one segment lost and retransmitted. */
export function handMade(): Recording {
  return {
    scenario: 'hand-made',
    seed: 7,
    description: 'a handshake and one lost data segment',
    hosts: { client: '10.0.0.1:49152', server: '10.0.0.2:80' },
    segments: [
      { t: 0, from: 'client', to: 'server', flags: 'S', seq: 1000, ack: 0, win: 65535, len: 0, dropped: false, sport: 49152, dport: 80, options: 'mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7', arrive: 0.01 },
      { t: 0.01, from: 'server', to: 'client', flags: 'S.', seq: 5000, ack: 1001, win: 65535, len: 0, dropped: false, sport: 80, dport: 49152, options: 'mss 1460', arrive: 0.02 },
      { t: 0.02, from: 'client', to: 'server', flags: '.', seq: 1001, ack: 5001, win: 512, len: 0, dropped: false, sport: 49152, dport: 80, arrive: 0.03 },
      { t: 0.02, from: 'client', to: 'server', flags: 'P.', seq: 1001, ack: 5001, win: 512, len: 5, dropped: true, sport: 49152, dport: 80, fate: 'loss' },
      { t: 0.22, from: 'client', to: 'server', flags: 'P.', seq: 1001, ack: 5001, win: 512, len: 5, dropped: false, sport: 49152, dport: 80, note: 'retransmission', arrive: 0.23 },
      { t: 0.23, from: 'server', to: 'client', flags: 'R.', seq: 5001, ack: 1006, win: 0, len: 0, dropped: false, sport: 80, dport: 49152, arrive: 0.24 },
    ],
    transitions: [
      { t: 0, host: 'server', from: 'CLOSED', to: 'LISTEN' },
      { t: 0, host: 'client', from: 'CLOSED', to: 'SYN_SENT' },
      { t: 0.01, host: 'server', from: 'LISTEN', to: 'SYN_RCVD' },
      { t: 0.02, host: 'client', from: 'SYN_SENT', to: 'ESTABLISHED' },
      { t: 0.03, host: 'server', from: 'SYN_RCVD', to: 'ESTABLISHED' },
      { t: 0.23, host: 'server', from: 'ESTABLISHED', to: 'CLOSED' },
      { t: 0.24, host: 'client', from: 'ESTABLISHED', to: 'CLOSED' },
    ],
    outcome: { client: { state: 'CLOSED', error: 'ECONNRESET', sent: 5, received: 0 }, server: { state: 'CLOSED', error: null, sent: 0, received: 5 } },
    duration: 10.24,
    icmp: [{ t: 0.1, from: 'router', to: 'client', type: 3, code: 1, text: 'host unreachable', dropped: false }],
    notes: [{ t: 0.05, text: 'the path <fails> & heals', host: 'server' }, { t: 10.24, text: 'end' }],
  };
}
