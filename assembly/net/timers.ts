// The neighbour cache's timers at poll time, and the one thing they report upwards: a resolution that
// gave up makes each packet that waited for it an ICMP host unreachable for its connection (Linux
// arp_error_report → dst_link_failure), so a connect() fails with EHOSTUNREACH as on Linux.
import { nowMs } from '../tcp/clock';
import { icmpError } from '../tcp/icmp';
import { neighTick, neighPurgeFailed, queueNextFailed, queueNext, queuePacket, queuePacketLen, neighNextDeadline } from './neighbour';
import { ICMP_DEST_UNREACH } from '../wire/icmp';
import { OPT_ETHERNET } from '../options';

/** Host unreachable (RFC 792 type 3 code 1). */
const HOST_UNREACH: u8 = 1;

/** Fires the neighbour cache's due deadlines; returns its next deadline. */
export function netPoll(): f64 {
  if (!OPT_ETHERNET) return Infinity;
  if (neighTick(nowMs)) reportFailed();
  return neighNextDeadline();
}

/** Reports and drops the packets of every resolution that failed. */
export function reportFailed(): void {
  for (let off = queueNextFailed(0); off >= 0; off = queueNextFailed(queueNext(off))) {
    icmpError(ICMP_DEST_UNREACH, HOST_UNREACH, queuePacket(off), queuePacketLen(off), 0);
  }
  neighPurgeFailed();
}
