// Public entry point of wasm-tcp (Node and browsers share this core).
export { instantiateEngine, EngineAbort } from './engine/load.js';
export { Stack, type StackOptions, type ConnectOptions, type Transition } from './stack.js';
export { Socket, type SocketOptions, type AddressInfo } from './socket.js';
export { Server, type ServerOptions, type ListenOptions } from './server.js';
export { type Clock, type ClockTimer } from './clock/clock.js';
export { VirtualClock, type VirtualClockOptions, type RunOptions } from './clock/virtual.js';
export { RealClock } from './clock/real.js';
export { type Link, type LinkEndpoint, type Tap, type TapEvent, type Fate } from './link/link.js';
export { DirectLink } from './link/direct.js';
export { SimNetwork, PERFECT, type PathConditions, type PathDown, type SimNetworkOptions, type SimStats } from './link/sim.js';
export { buildIcmpUnreachable } from './link/icmp.js';
export { PcapWriter, LINKTYPE_RAW } from './pcap/writer.js';
export { Prng } from './util/prng.js';
export { Sha256, sha256Hex } from './util/sha256.js';
export { parseIPv4, formatIPv4, isIPv4 } from './util/ip.js';
export { systemError, type SystemError } from './util/errors.js';
export { runTransfer, type TransferOptions, type TransferResult } from './util/transfer.js';
