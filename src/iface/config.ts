// The options of stack.createTapInterface / createTunInterface / createLoopbackInterface, checked and
// normalised into what the engine's ifaceUp takes.
import { IfKind } from '../engine/abi.js';
import { formatIPv4, isIPv4, parseCidr, parseIPv4, prefixMask } from '../util/ip.js';
import { formatMac, isGroupMac, parseMac } from '../util/mac.js';
import { checkInt, checkObject, invalidType, invalidValue } from '../util/validate.js';

/** Options of `stack.createTapInterface()`: an Ethernet interface whose frames the application carries. */
export interface TapInterfaceOptions {
  /** Our MAC, 'xx:xx:xx:xx:xx:xx' (unicast); default: a locally administered one derived from the stack's seed. */
  mac?: string;
  /** Our address with its prefix length, e.g. '10.0.0.2/24'. */
  ip: string;
  /** Default gateway (on-link), e.g. '10.0.0.1'. */
  gateway?: string;
  /** Largest IPv4 packet in a frame, 68–9216 (default 1500). */
  mtu?: number;
  /** Outbound frames held for a slow reader before more are dropped (default 1024). */
  queueLimit?: number;
}

/** Options of `stack.createTunInterface()`: an IP interface whose IPv4 packets the application carries. */
export interface TunInterfaceOptions {
  /** Our address with its prefix length, e.g. '10.0.0.2/24'. */
  ip: string;
  /** Default gateway (on-link), e.g. '10.0.0.1'. */
  gateway?: string;
  /** Largest IPv4 packet, 68–65535 (default 1500). */
  mtu?: number;
  /** Outbound packets held for a slow reader before more are dropped (default 1024). */
  queueLimit?: number;
}

/** Options of `stack.createLoopbackInterface()`. */
export interface LoopbackInterfaceOptions {
  /** Address and prefix (default '127.0.0.1/8'); the interface's address is a TCP endpoint, the prefix routes to it. */
  ip?: string;
}

/** An interface's settings, checked. */
export interface InterfaceConfig {
  kind: IfKind;
  addr: number;
  prefix: number;
  gateway: number;
  mac: number;
  mtu: number;
  queueLimit: number;
}

const DEFAULT_QUEUE = 1024;

function common(kind: IfKind, name: string, o: { ip?: unknown; gateway?: unknown; mtu?: unknown; queueLimit?: unknown }, maxMtu: number, defaultIp?: string): InterfaceConfig {
  const { addr, prefix } = parseCidr(o.ip ?? defaultIp, `${name}.ip`);
  if (addr === 0 || addr === 0xffffffff || addr >>> 28 === 0xe) throw invalidValue(`${name}.ip`, o.ip, 'must be a unicast address');
  let gateway = 0;
  if (o.gateway !== undefined) {
    if (typeof o.gateway !== 'string') throw invalidType(`${name}.gateway`, 'of type string', o.gateway);
    if (!isIPv4(o.gateway)) throw invalidValue(`${name}.gateway`, o.gateway, 'must be an IPv4 address');
    gateway = parseIPv4(o.gateway);
    const mask = prefixMask(prefix);
    if (((gateway ^ addr) & mask) !== 0 || gateway === addr) {
      throw invalidValue(`${name}.gateway`, o.gateway, `must be another address inside ${formatIPv4(addr)}/${prefix}`);
    }
  }
  const mtu = o.mtu === undefined ? Math.min(1500, maxMtu) : checkInt(`${name}.mtu`, o.mtu, 68, maxMtu);
  const queueLimit = o.queueLimit === undefined ? DEFAULT_QUEUE : checkInt(`${name}.queueLimit`, o.queueLimit, 1, 1 << 20);
  return { kind, addr, prefix, gateway, mac: 0, mtu, queueLimit };
}

/** The largest MTU of a TAP interface (jumbo frames). */
export const TAP_MAX_MTU = 9216;

/** Checks TAP options; `defaultMac` is used when none is given. */
export function tapConfig(opts: TapInterfaceOptions, defaultMac: number): InterfaceConfig {
  checkObject('options', opts);
  const c = common(IfKind.ETHERNET, 'options', opts, TAP_MAX_MTU);
  if (opts.mac === undefined) c.mac = defaultMac;
  else {
    if (typeof opts.mac !== 'string') throw invalidType('options.mac', 'of type string', opts.mac);
    const mac = parseMac(opts.mac);
    if (mac === undefined) throw invalidValue('options.mac', opts.mac, "must be a MAC address ('02:00:00:00:00:01')");
    if (mac === 0 || isGroupMac(mac)) throw invalidValue('options.mac', opts.mac, 'must be a unicast MAC address (even first byte, not all zeros)');
    c.mac = mac;
  }
  return c;
}

/** Checks TUN options. */
export function tunConfig(opts: TunInterfaceOptions): InterfaceConfig {
  checkObject('options', opts);
  return common(IfKind.IP, 'options', opts, 65535);
}

/** Checks loopback options. */
export function loopbackConfig(opts: LoopbackInterfaceOptions = {}): InterfaceConfig {
  checkObject('options', opts);
  return { ...common(IfKind.LOOPBACK, 'options', { ip: opts.ip }, 65535, '127.0.0.1/8'), mtu: 65535 };
}

/** A locally administered unicast MAC (02:…) from a seed and an index: stable across runs. */
export function derivedMac(seed: number, index: number): number {
  let x = (Math.imul((seed >>> 0) ^ 0x6d2b79f5, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
  return 0x02_00_0000_0000 + (index & 0xff) * 0x100000000 + (x >>> 0);
}

