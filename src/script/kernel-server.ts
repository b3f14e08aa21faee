// The Python side of `wasm-tcp script --kernel` (see kernel.ts), written to a temporary file
// and run inside the script's network namespace. Kept as a string so the bundles carry it; the
// engine's state and event numbers come from the generated tables, not copies.
import { EventKind, TcpState } from '../engine/abi.js';

/** Linux tcpi_state values (include/net/tcp_states.h) → the engine's TcpState. */
const LINUX_STATES: readonly [number, TcpState][] = [
  [1, TcpState.ESTABLISHED], [2, TcpState.SYN_SENT], [3, TcpState.SYN_RCVD], [4, TcpState.FIN_WAIT_1],
  [5, TcpState.FIN_WAIT_2], [6, TcpState.TIME_WAIT], [7, TcpState.CLOSED], [8, TcpState.CLOSE_WAIT],
  [9, TcpState.LAST_ACK], [10, TcpState.LISTEN], [11, TcpState.CLOSING], [12, TcpState.SYN_RCVD], // 12: NEW_SYN_RECV
];

/** Source of the kernel-side server: TUN device, kernel sockets, JSON lines over two FIFOs. */
export const KERNEL_SERVER_PY = `# Linux kernel TCP behind a TUN device, driven line by line by wasm-tcp script --kernel.
# Moves itself into a fresh anonymous network namespace (gone when it exits) and dies with its
# parent. Protocol: one JSON request per line on
# the request FIFO, one JSON reply per line on the reply FIFO. Every reply carries the IPv4/TCP
# packets the kernel sent since the previous reply ([ms since the first request, hex]), the
# connection events and when the request took effect (ms since the first request).
import ctypes, errno, fcntl, json, os, re, select, signal, socket, struct, subprocess, sys, threading, time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
TCP_INFO, TCP_MAXSEG = 11, 2
SIOCINQ, SIOCOUTQ = 0x541B, 0x5411
# Linux tcpi_state -> engine TcpState, and the engine's event numbers (filled in from its tables)
STATE = {${LINUX_STATES.map(([l, s]) => `${l}: ${s}`).join(', ')}}
EV_CLOSED = ${EventKind.Closed}
NL = chr(10)


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ioctl_int(s, req):
    return struct.unpack('i', fcntl.ioctl(s.fileno(), req, bytes(4)))[0]


def main():
    req_path, rep_path, local, remote, sysctls = sys.argv[1:6]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
        raise OSError(ctypes.get_errno(), 'unshare(CLONE_NEWNET) failed')
    tun = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack('16sH', b'pdt0', IFF_TUN | IFF_NO_PI))
    sh('sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1')
    sh('ip link set lo up && ip link set pdt0 up')
    sh('ip addr add %s/16 dev pdt0 && ip route add %s/32 dev pdt0' % (local, remote))
    for k, v in json.loads(sysctls):
        # only TCP/IP knobs, never a shell: a kernel too old for a knob just keeps its default
        if re.match(r'^net[.]ipv4[.][a-z0-9_]+$', k):
            subprocess.run(['sysctl', '-q', '-w', k + '=' + v], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    req = open(req_path, 'r')
    rep = open(rep_path, 'w')
    socks, reported = {}, {}
    t0 = None
    nxt = [0]

    def new_handle(s):
        h = nxt[0]
        nxt[0] += 1
        socks[h] = s
        return h

    def state(h):
        s = socks.get(h)
        if s is None:
            return 0
        try:
            return STATE.get(s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 8)[0], 0)
        except OSError:
            return 0

    # Packets are stamped when read, by a thread that waits on the TUN device, so their times
    # do not depend on when the runner (a busy process on a loaded machine) asks for them.
    sent, lock = [], threading.Lock()

    def take():
        with lock:
            while True:
                try:
                    p = os.read(tun, 65536)
                except BlockingIOError:
                    return
                if len(p) >= 20 and p[0] >> 4 == 4 and p[9] == 6:
                    sent.append((time.monotonic(), p.hex()))

    def reader():
        while True:
            select.select([tun], [], [])
            take()

    threading.Thread(target=reader, daemon=True).start()

    def packets():
        take()
        with lock:
            out = [[round((t - t0) * 1000, 3), h] for t, h in sent]
            del sent[:]
        return out

    def events():
        ev = []
        for h in list(socks):
            st = state(h)
            if reported.get(h) != st:
                if st == 0 and reported.get(h) is not None:
                    ev.append([EV_CLOSED, h, 0])
                reported[h] = st
        return ev

    def drop(h):
        reported.pop(h, None)
        return socks.pop(h, None)

    for line in req:
        r = json.loads(line)
        op, res, done = r['op'], 0, None
        if t0 is None:
            t0 = time.monotonic()
        try:
            if op == 'poll':
                delay = t0 + r['now'] / 1000.0 - time.monotonic()
                if delay > 0:
                    select.select([], [], [], delay)
            elif op == 'input':
                done = time.monotonic()  # when the packet went in, however late the reply
                os.write(tun, bytes.fromhex(r['hex']))
                time.sleep(0.0002)
            elif op == 'listen':
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((local, r['port']))
                s.listen(r['backlog'])
                s.setblocking(False)
                res = new_handle(s)
            elif op in ('unlisten', 'close'):
                s = drop(r['h'])
                if s:
                    s.close()
            elif op == 'abort':
                s = drop(r['h'])
                if s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    s.close()
            elif op == 'accept':
                try:
                    c, _ = socks[r['h']].accept()
                    c.setblocking(False)
                    res = new_handle(c)
                except BlockingIOError:
                    res = -errno.EAGAIN
            elif op == 'connect':
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                if r.get('src'):
                    s.bind((local, r['src']))
                e = s.connect_ex((remote, r['port']))
                res = new_handle(s) if e in (0, errno.EINPROGRESS) else -e
            elif op == 'send':
                try:
                    res = socks[r['h']].send(bytes(r['n']), socket.MSG_NOSIGNAL)
                except BlockingIOError:
                    res = -errno.EAGAIN
            elif op == 'recv':
                try:
                    res = len(socks[r['h']].recv(r['n']))
                except BlockingIOError:
                    res = -errno.EAGAIN
            elif op == 'shutdown':
                socks[r['h']].shutdown(socket.SHUT_WR)
            elif op == 'shutdownRead':
                socks[r['h']].shutdown(socket.SHUT_RD)
            elif op == 'soError':
                res = socks[r['h']].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            elif op == 'pollmask':
                p = select.poll()
                p.register(socks[r['h']], select.POLLIN | select.POLLPRI | select.POLLOUT | select.POLLRDNORM | select.POLLWRNORM | select.POLLRDHUP)
                ev = p.poll(0)
                res = ev[0][1] if ev else 0
            elif op == 'state':
                res = state(r['h'])
            elif op == 'info':
                s = socks[r['h']]
                res = {'localPort': s.getsockname()[1], 'mss': s.getsockopt(socket.IPPROTO_TCP, TCP_MAXSEG)}
            elif op == 'readable':
                res = ioctl_int(socks[r['h']], SIOCINQ)
            elif op == 'outq':
                res = ioctl_int(socks[r['h']], SIOCOUTQ)
            elif op == 'setsockopt':
                socks[r['h']].setsockopt(r['level'], r['opt'], r['value'])
            elif op == 'getsockopt':
                res = struct.unpack('i', socks[r['h']].getsockopt(r['level'], r['opt'], 4))[0]
            elif op == 'linger0':
                socks[r['h']].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1 if r['on'] else 0, 0))
            elif op == 'bye':
                break
        except OSError as e:
            res = -(e.errno or errno.EIO)
        if done is None:
            done = time.monotonic()
        rep.write(json.dumps({'res': res, 'tx': packets(), 'ev': events(), 'now': round((done - t0) * 1000, 3)}) + NL)
        rep.flush()


main()
`;
