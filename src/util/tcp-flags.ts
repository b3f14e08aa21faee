// TCP header flag bits (RFC 9293 §3.1; ECE and CWR RFC 3168 §6.1), for the host's own packet code:
// the script runner's codec, the capture decoder, the fuzzer. The engine has its own (assembly/wire/tcp.ts).

/** FIN, SYN, RST, PSH, ACK, URG, ECE, CWR: bits 0–7 of byte 13 of the TCP header. */
export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;
