// Link-layer headers of captured packets: finds where the IPv4 header starts, or says why there is none.

/** LINKTYPE_ETHERNET: IEEE 802.3 Ethernet, possibly with 802.1Q / 802.1ad VLAN tags. */
export const LINKTYPE_ETHERNET = 1;
/** LINKTYPE_RAW: raw IPv4 or IPv6, told apart by the version nibble. */
export const LINKTYPE_RAW_IP = 101;
/** LINKTYPE_LINUX_SLL: Linux "cooked" capture, 16-byte header (tcpdump -i any). */
export const LINKTYPE_LINUX_SLL = 113;
/** LINKTYPE_IPV4: raw IPv4 only. */
export const LINKTYPE_IPV4 = 228;
/** LINKTYPE_IPV6: raw IPv6 only. */
export const LINKTYPE_IPV6 = 229;
/** LINKTYPE_LINUX_SLL2: Linux "cooked" capture v2, 20-byte header. */
export const LINKTYPE_LINUX_SLL2 = 276;

/** EtherTypes (Linux's ETH_P_* names) of the network layers told apart. */
const ETH_P_IP = 0x0800, ETH_P_ARP = 0x0806, ETH_P_RARP = 0x8035, ETH_P_IPV6 = 0x86dd;
/** EtherTypes of VLAN tags: 802.1Q, 802.1ad, and the pre-802.1ad double tagging still seen in the wild. */
const ETH_P_8021Q = 0x8100, ETH_P_8021AD = 0x88a8, ETH_P_QINQ_OLD = 0x9100;

const SHORT = 'malformed: truncated link header';

/** Where a frame's network-layer packet starts: an IPv4 header or an ARP packet. */
export interface NetworkPayload {
  proto: 'ipv4' | 'arp';
  /** Byte offset of the packet inside the frame. */
  offset: number;
}

/**
 * Offset of the IPv4 header inside a captured frame of the given link type, or the reason the frame
 * holds no IPv4 packet ('arp', 'ipv6', 'non-ip ethertype 0x88cc', 'malformed: …', 'unsupported link type N').
 */
export function ipv4Offset(linkType: number, frame: Uint8Array): number | string {
  const p = networkPayload(linkType, frame);
  return typeof p === 'string' ? p : p.proto === 'arp' ? 'arp' : p.offset;
}

/**
 * The IPv4 or ARP packet inside a captured frame of the given link type, or the reason there is
 * neither ('ipv6', 'rarp', 'non-ip ethertype 0x88cc', 'malformed: …', 'unsupported link type N').
 */
export function networkPayload(linkType: number, frame: Uint8Array): NetworkPayload | string {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      // dst(6) src(6) ethertype(2)
      return frame.length < 14 ? SHORT : etherType(frame, 12, 14, false);
    case LINKTYPE_LINUX_SLL:
      // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
      return frame.length < 16 ? SHORT : etherType(frame, 14, 16, true);
    case LINKTYPE_LINUX_SLL2:
      // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
      return frame.length < 20 ? SHORT : etherType(frame, 0, 20, true);
    case LINKTYPE_RAW_IP:
      // IPv6 is skipped here; anything else goes to the IPv4 parser, which names a bad version or an empty packet.
      return frame.length > 0 && frame[0] >> 4 === 6 ? 'ipv6' : { proto: 'ipv4', offset: 0 };
    case LINKTYPE_IPV4:
      return { proto: 'ipv4', offset: 0 };
    case LINKTYPE_IPV6:
      return 'ipv6';
    default:
      return `unsupported link type ${linkType}`;
  }
}

/**
 * Follows an EtherType at `typeOff` whose payload starts at `payloadOff`, through any number of VLAN
 * tags (IEEE 802.1Q: each tag is TPID, then TCI(2) + the next EtherType(2) at the payload start).
 * In cooked (SLL) headers, values below 0x600 are Linux ETH_P_* pseudo-protocols (802.2, CAN, ...).
 */
function etherType(frame: Uint8Array, typeOff: number, payloadOff: number, cooked: boolean): NetworkPayload | string {
  for (;;) {
    const type = (frame[typeOff] << 8) | frame[typeOff + 1];
    if (type === ETH_P_8021Q || type === ETH_P_8021AD || type === ETH_P_QINQ_OLD) {
      if (frame.length < payloadOff + 4) return 'malformed: truncated vlan tag';
      typeOff = payloadOff + 2;
      payloadOff += 4;
      continue;
    }
    switch (type) {
      case ETH_P_IP: return { proto: 'ipv4', offset: payloadOff };
      case ETH_P_IPV6: return 'ipv6';
      case ETH_P_ARP: return { proto: 'arp', offset: payloadOff };
      case ETH_P_RARP: return 'rarp';
    }
    if (cooked && type < 0x600) return `non-ip protocol 0x${hex4(type)}`;
    // IEEE 802.3 §3.2.6: values up to 1500 are a length (an LLC frame follows), not a type.
    if (type <= 1500) return `non-ip 802.3 frame (length 0x${hex4(type)})`;
    return `non-ip ethertype 0x${hex4(type)}`;
  }
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}
