// ARP input (RFC 826 "Packet Reception", with Linux's choices): learn the sender (merge, and create
// an entry only when the packet is for us), answer requests for our address, count a conflict when
// another MAC claims our address.
import { Stat } from '../abi';
import { ifAt } from './iface';
import { neighLearn, arpSend } from './neighbour';
import { statBump } from '../tcp/stats';
import { arpCheckLen, arpOp, arpShaHi, arpShaLo, arpSpa, arpTpa, ARP_REQUEST, ARP_REPLY } from '../wire/arp';

/**
 * Processes the ARP packet of `len` bytes at `p` that arrived on Ethernet interface `ifi`;
 * `unicast` says the frame was sent to our MAC (a reply sent to us confirms the sender, Linux).
 */
export function arpInput(ifi: i32, p: usize, len: i32, unicast: bool): void {
  if (arpCheckLen(p, len) != 0) { statBump(Stat.BadPackets); return; }
  statBump(Stat.ArpIn);
  let f = ifAt(ifi);
  let op = arpOp(p);
  let shaHi = arpShaHi(p);
  let shaLo = arpShaLo(p);
  let spa = arpSpa(p);
  let tpa = arpTpa(p);
  let mine = <u32>f.macHi == shaHi && f.macLo == shaLo;
  if (mine) return; // our own frame, looped back by a switch or a bridge
  let forUs = tpa == f.addr;
  if (spa == f.addr) {
    statBump(Stat.ArpConflicts); // RFC 5227 §2.4: someone else uses our address
  } else if (spa != 0 && (shaHi & 0x100) == 0) {
    // RFC 826: merge into an existing entry; add one only when we are the target.
    neighLearn(ifi, spa, shaHi, shaLo, forUs && op == ARP_REQUEST, forUs && op == ARP_REPLY && unicast);
  }
  if (op == ARP_REQUEST && forUs) arpSend(ifi, ARP_REPLY, shaHi, shaLo, shaHi, shaLo, spa);
}
