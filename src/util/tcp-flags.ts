// TCP header flag bits (RFC 9293 §3.1; ECE and CWR RFC 3168 §6.1), for the host's own packet code:
// the script runner's codec, the capture decoder, the fuzzer. Generated with the engine's
// (assembly/wire/tables.ts) from assembly/abi.spec.json into src/engine/abi.ts.
export {
  TCP_FIN as FIN, TCP_SYN as SYN, TCP_RST as RST, TCP_PSH as PSH, TCP_ACK as ACK, TCP_URG as URG, TCP_ECE as ECE,
  TCP_CWR as CWR,
} from '../engine/abi.js';
