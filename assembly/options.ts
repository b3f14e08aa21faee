// Compile-time features of the engine (lwIP's lwipopts.h for what is built in; the run-time knobs are
// assembly/config.ts). Each feature is in unless the build defines its WTCP_NO_* constant (asc
// `--use WTCP_NO_ETHERNET=1`, as the asconfig.json targets do); a feature left out compiles to nothing,
// and the host asking for it gets −EOPNOTSUPP (a config key turned on, an interface kind), never a trap.
//
// Profiles (asconfig.json targets, docs/porting.md):
//   release, portable   every feature (the JavaScript host and the full C port)
//   portable-tcp        TCP + IPv4 with NewReno, IP interfaces only: what lwIP's TCP + IPv4 figure holds
// isDefined() is decided by the compiler, so `if (OPT_X)` around a call leaves no code when X is out.

/** Ethernet II, ARP and the neighbour cache: TAP interfaces (IfKind.ETHERNET). Out: IP and loopback interfaces only. */
// @ts-ignore: compile-time constant
export const OPT_ETHERNET: bool = isDefined(WTCP_NO_ETHERNET) ? false : true;
/** ICMP: answering echo requests (ping) and taking the errors TCP acts on (RFC 1122 §4.2.3.9 soft errors, RFC 5927, PMTU). Out: ICMP is counted and dropped (echo requests in icmpEchoDropped). */
// @ts-ignore: compile-time constant
export const OPT_ICMP: bool = isDefined(WTCP_NO_ICMP) ? false : true;
/** SYN cookies (RFC 4987) when a listener's SYN queue is full. Out: such SYNs are dropped (config synCookies off). */
// @ts-ignore: compile-time constant
export const OPT_SYN_COOKIES: bool = isDefined(WTCP_NO_SYN_COOKIES) ? false : true;
/** SACK (RFC 2018) with the RFC 6675 scoreboard, RACK and TLP (RFC 8985) and D-SACK (RFC 2883). Out: NewReno only (config sack, rack, tlp, dsack off). */
// @ts-ignore: compile-time constant
export const OPT_SACK: bool = isDefined(WTCP_NO_SACK) ? false : true;
/** Rate limits: challenge ACKs (RFC 5961 §7), RSTs for closed ports, replies to unacceptable segments. Out: no limits. */
// @ts-ignore: compile-time constant
export const OPT_RATE_LIMIT: bool = isDefined(WTCP_NO_RATE_LIMIT) ? false : true;
