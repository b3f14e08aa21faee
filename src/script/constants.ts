// Linux values of the symbolic constants and errno names scripts use.
import { Errno, Poll, Shut } from '../engine/abi.js';

/** errno names → Linux numbers (the engine's table, plus the EWOULDBLOCK alias). */
export const ERRNO: Readonly<Record<string, number>> = { ...Errno, EWOULDBLOCK: Errno.EAGAIN };

/** errno number → its first name. */
export function errnoName(n: number): string {
  for (const [k, v] of Object.entries(ERRNO)) if (v === n) return k;
  return `errno ${n}`;
}

/** Symbolic constants (Linux x86-64 values). */
export const SYMBOLS: Readonly<Record<string, number>> = {
  AF_INET: 2, AF_INET6: 10, PF_INET: 2, PF_INET6: 10, SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_NONBLOCK: 0x800,
  IPPROTO_IP: 0, IPPROTO_TCP: 6, IPPROTO_UDP: 17, SOL_SOCKET: 1, SOL_TCP: 6, SOL_IP: 0,
  SO_DEBUG: 1, SO_REUSEADDR: 2, SO_TYPE: 3, SO_ERROR: 4, SO_DONTROUTE: 5, SO_BROADCAST: 6, SO_SNDBUF: 7,
  SO_RCVBUF: 8, SO_KEEPALIVE: 9, SO_OOBINLINE: 10, SO_LINGER: 13, SO_REUSEPORT: 15, SO_RCVLOWAT: 18,
  SO_SNDLOWAT: 19, SO_RCVTIMEO: 20, SO_SNDTIMEO: 21, SO_MARK: 36, SO_ZEROCOPY: 60, SO_MAX_PACING_RATE: 47,
  TCP_NODELAY: 1, TCP_MAXSEG: 2, TCP_CORK: 3, TCP_KEEPIDLE: 4, TCP_KEEPINTVL: 5, TCP_KEEPCNT: 6,
  TCP_SYNCNT: 7, TCP_LINGER2: 8, TCP_DEFER_ACCEPT: 9, TCP_WINDOW_CLAMP: 10, TCP_INFO: 11, TCP_QUICKACK: 12,
  TCP_CONGESTION: 13, TCP_MD5SIG: 14, TCP_THIN_LINEAR_TIMEOUTS: 16, TCP_USER_TIMEOUT: 18, TCP_REPAIR: 19,
  TCP_FASTOPEN: 23, TCP_TIMESTAMP: 24, TCP_NOTSENT_LOWAT: 25, TCP_FASTOPEN_CONNECT: 30,
  F_GETFL: 3, F_SETFL: 4, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_NONBLOCK: 0x800,
  SHUT_RD: Shut.RD, SHUT_WR: Shut.WR, SHUT_RDWR: Shut.RDWR,
  ...Poll,
  MSG_OOB: 1, MSG_PEEK: 2, MSG_DONTROUTE: 4, MSG_DONTWAIT: 0x40, MSG_EOR: 0x80, MSG_WAITALL: 0x100,
  MSG_NOSIGNAL: 0x4000, MSG_MORE: 0x8000, MSG_ZEROCOPY: 0x4000000, MSG_FASTOPEN: 0x20000000,
  SIOCINQ: 0x541b, FIONREAD: 0x541b, SIOCOUTQ: 0x5411, TIOCOUTQ: 0x5411, SIOCOUTQNSD: 0x894b,
  INADDR_ANY: 0,
};
