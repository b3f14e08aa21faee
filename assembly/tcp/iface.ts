// The one interface today: our IPv4 address, and which addresses can be a TCP peer at all.

/** Our IPv4 address (set by init). */
export let localAddr: u32 = 0;

/** Sets our address (init). */
export function ifaceInit(addr: u32): void {
  localAddr = addr;
}

/** Whether `a` can be one end of a TCP connection: not 0.0.0.0, not 255.255.255.255, not multicast (224/4). */
export function unicast(a: u32): bool {
  return a != 0 && a != 0xffffffff && (a >>> 28) != 0xE;
}
