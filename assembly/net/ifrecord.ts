// One network interface (lwIP's netif): a fixed-size record in the interface table laid out by
// assembly/memory.ts. Its slot index is the interface index of the packet records.

/** An interface: its kind (IfKind), IPv4 address and prefix, default gateway, MAC, MTU. */
@unmanaged
export class Iface {
  /** Our IPv4 address on it (0 when the slot is free). */
  addr: u32;
  /** Netmask of the prefix (0 for /0). */
  mask: u32;
  /** Default gateway, 0 = none. */
  gateway: u32;
  /** Low 32 bits of the MAC (Ethernet). */
  macLo: u32;
  /** High 16 bits of the MAC. */
  macHi: u16;
  /** Largest IPv4 packet it carries. */
  mtu: u16;
  /** IfKind; NONE for a free slot. */
  kind: u8;
  /** Prefix length. */
  prefix: u8;
}

/** Bytes of one interface record. */
export const IFACE_SIZE: i32 = (<i32>offsetof<Iface>() + 7) & ~7;
