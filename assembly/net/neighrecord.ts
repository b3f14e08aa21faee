// One ARP neighbour entry (RFC 826's translation table, with Linux's NUD states): a fixed-size record
// of the neighbour cache laid out by assembly/memory.ts.

/** What we know of one neighbour: its IPv4 and MAC address on one interface, and its state. */
@unmanaged
export class Neigh {
  /** When the state next changes (a retry, the end of REACHABLE or DELAY), or Infinity. */
  deadline: f64;
  /** Last time a packet used it (the cache reuses the least recently used entry when full). */
  used: f64;
  /** IPv4 address. */
  addr: u32;
  /** Low 32 bits of the MAC. */
  macLo: u32;
  /** High 16 bits of the MAC. */
  macHi: u16;
  /** Next entry in its hash chain, or NIL. */
  hashNext: u16;
  /** Interface index. */
  ifIndex: u8;
  /** NeighState; FREE for an unused slot. */
  state: u8;
  /** Requests or probes sent in this state. */
  tries: u8;
}

/** Bytes of one neighbour entry. */
export const NEIGH_SIZE: i32 = (<i32>offsetof<Neigh>() + 7) & ~7;
