// The Python side of `wasm-tcp scenario NAME --kernel` (see netns-host.ts), run with `python3 -c`.
// Kept as a string so the bundles carry it; String.raw keeps its backslashes as written.

/** Source of one Linux host: a network namespace, a TUN device, the sockets of its application. */
export const NETNS_HOST_PY = String.raw`# One Linux host for wasm-tcp scenario --kernel: the kernel's TCP behind a TUN device, in a
# network namespace of its own (gone when this process and its child exit; both die with Node).
#   argv: ADDRESS/PREFIX SYSCTLS_JSON
#   fd 0  <- frames from Node: b'P' + u32 length + IPv4 packet (written to the TUN device)
#   fd 1  -> frames to Node:   b'P' + u32 length + IPv4 packet the kernel sent,
#                              b'S' + u32 length + JSON [local port, remote port, state] per change,
#                              b'R' + u32 length + JSON {pid of the application} once ready
#   fd 3  <- application requests, one JSON object per line (handled by the child process)
#   fd 4  -> application events, one JSON object per line
# The child process is "the application": it owns every socket, so killing it is a process kill.
import ctypes, errno, fcntl, json, os, select, signal, socket, struct, subprocess, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY = 4, 20
NLM_F_REQUEST = 0x1
DEV = 'ksc0'
# Linux TCP states (include/net/tcp_states.h) in the RFC spelling of the ladders.
STATES = {1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RCVD', 4: 'FIN_WAIT_1', 5: 'FIN_WAIT_2', 6: 'TIME_WAIT',
          7: 'CLOSED', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING', 12: 'SYN_RCVD'}
POLL_S = 0.002  # socket states are sampled this often, and after every packet in or out
NL = chr(10)
DEBUG = bool(os.environ.get('WASM_TCP_DEBUG'))


def die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return libc


def write_all(fd, data):
    while data:
        n = os.write(fd, data)
        data = data[n:]


def frame(kind, payload):
    return kind + struct.pack('>I', len(payload)) + payload


def sock_state(nl, seq, key):
    """The state of the TCP socket with this (local address, local port, remote address, remote
    port), looked up over sock_diag netlink (what ss(8) reads): request sockets, TIME_WAIT and
    orphans included; CLOSED when there is none. One lookup in the socket hash per call: a dump
    would walk the whole (host-wide) table, about a millisecond of CPU each time."""
    laddr, lport, raddr, rport = key
    sockid = struct.pack('>HH', lport, rport) + laddr + bytes(12) + raddr + bytes(12) + struct.pack('=III', 0, 0xFFFFFFFF, 0xFFFFFFFF)
    req = struct.pack('=BBBBI', socket.AF_INET, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF) + sockid
    nl.send(struct.pack('=IHHII', 16 + len(req), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, seq, 0) + req)
    data = nl.recv(1 << 16)
    typ = struct.unpack_from('=H', data, 4)[0]
    if typ != SOCK_DIAG_BY_FAMILY:
        return 'CLOSED'  # NLMSG_ERROR: ENOENT
    # A lookup that falls back to the listener on that port means the connection is gone.
    if struct.unpack_from('>H', data, 22)[0] != rport:
        return 'CLOSED'
    return STATES.get(data[17], 'CLOSED')


def tcp_key(p, outbound):
    """(local address, local port, remote address, remote port) of a TCP packet, or None."""
    if len(p) < 20 or p[0] >> 4 != 4 or p[9] != 6:
        return None
    ihl = (p[0] & 15) * 4
    if len(p) < ihl + 4:
        return None
    sport, dport = struct.unpack_from('>HH', p, ihl)
    src, dst = p[12:16], p[16:20]
    return (src, sport, dst, dport) if outbound else (dst, dport, src, sport)


def setup(addr, sysctls):
    tun = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack('16sH', DEV.encode(), IFF_TUN | IFF_NO_PI))
    for path in ('/proc/sys/net/ipv6/conf/all/disable_ipv6', '/proc/sys/net/ipv6/conf/default/disable_ipv6'):
        try:
            with open(path, 'w') as f:
                f.write('1')
        except OSError:
            pass  # no IPv6 in this kernel
    for k, v in sysctls:
        # only net.ipv4 TCP/IP knobs, written under /proc/sys (per namespace), never through a shell
        name = k[len('net.ipv4.'):] if k.startswith('net.ipv4.') else ''
        if not name or not all(c.isalnum() or c == '_' for c in name):
            raise ValueError('not a net.ipv4 sysctl: ' + k)
        with open('/proc/sys/net/ipv4/' + name, 'w') as f:
            f.write(str(v))
    for cmd in (['ip', 'link', 'set', 'lo', 'up'], ['ip', 'addr', 'add', addr, 'dev', DEV],
                ['ip', 'link', 'set', DEV, 'mtu', '1500', 'up']):
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise OSError(errno.EIO, ' '.join(cmd) + ': ' + r.stderr.strip())
    return tun


def relay(tun, ready):
    """Packets between the TUN device and Node; the state of every connection a packet named."""
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    known, live, seq = {}, set(), 0
    inbuf = b''
    write_all(1, frame(b'R', json.dumps(ready).encode()))
    next_poll = 0.0
    while True:
        timeout = max(0.0, next_poll - time.monotonic())
        r, _, _ = select.select([0, tun], [], [], timeout)
        if 0 in r:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                return  # Node is gone
            inbuf += chunk
            while len(inbuf) >= 5:
                n = struct.unpack_from('>I', inbuf, 1)[0]
                if len(inbuf) < 5 + n:
                    break
                if inbuf[0:1] == b'P':
                    p = inbuf[5:5 + n]
                    key = tcp_key(p, False)
                    if key:
                        live.add(key)
                    try:
                        os.write(tun, p)
                    except OSError:
                        pass  # a packet the kernel refuses (e.g. malformed) is lost, as on a wire
                inbuf = inbuf[5 + n:]
        sent = []
        while True:
            try:
                p = os.read(tun, 1 << 16)
            except BlockingIOError:
                break
            if len(p) >= 20 and p[0] >> 4 == 4:
                sent.append(frame(b'P', p))
                key = tcp_key(p, True)
                if key:
                    live.add(key)
        # States first: a state entered by sending a segment is reported before that segment.
        out = []
        for key in list(live):
            seq += 1
            st = sock_state(nl, seq, key)
            if known.get(key, 'CLOSED') != st:
                out.append(frame(b'S', json.dumps([key[1], key[3], st]).encode()))
                known[key] = st
            if st == 'CLOSED':
                live.discard(key)
        out += sent
        if out:
            if DEBUG:
                sys.stderr.write('relay %.3f %s%s' % (time.monotonic(), ''.join(chr(f[0]) for f in out), NL))
            write_all(1, b''.join(out))
        next_poll = time.monotonic() + POLL_S


class Conn:
    def __init__(self, s, h):
        self.s, self.h = s, h
        self.out = bytearray()
        self.listening = self.connecting = self.eof = False
        # Nothing is read before Node says so (after its accept/connect handlers, which may pause).
        self.paused = True
        self.shut = False  # shutdown(SHUT_WR) once everything queued is sent


def app(local_ip):
    """The application: sockets driven by requests on fd 3, events on fd 4."""
    cin = os.fdopen(3, 'r')
    evfd = 4
    conns, byfd = {}, {}
    poller = select.poll()
    accepted = [1000000]

    def emit(**ev):
        write_all(evfd, (json.dumps(ev) + NL).encode())

    def watch(c):
        mask = 0
        if c.listening or (not c.paused and not c.eof and not c.connecting):
            mask |= select.POLLIN
        if c.connecting or c.out:
            mask |= select.POLLOUT
        if c.s.fileno() >= 0:
            poller.register(c.s.fileno(), mask)

    def add(c):
        conns[c.h] = c
        byfd[c.s.fileno()] = c
        watch(c)

    def drop(c):
        fd = c.s.fileno()
        if fd >= 0:
            poller.unregister(fd)
            byfd.pop(fd, None)
        conns.pop(c.h, None)
        c.s.close()

    def fail(c, err):
        emit(ev='error', h=c.h, code=errno.errorcode.get(err, 'EIO'))
        drop(c)

    def flush(c):
        try:
            while c.out:
                n = c.s.send(c.out, socket.MSG_NOSIGNAL)
                del c.out[:n]
        except BlockingIOError:
            pass
        except OSError as e:
            return fail(c, e.errno)
        if not c.out and c.shut:
            c.shut = False
            try:
                c.s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        watch(c)

    def request(r):
        op, h = r['op'], r.get('h')
        c = conns.get(h)
        if op in ('listen', 'connect'):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if r.get('rcvbuf'):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, r['rcvbuf'])
            c = Conn(s, h)
            try:
                if op == 'listen':
                    s.bind((local_ip, r['port']))
                    s.listen(r.get('backlog', 128))
                    c.listening = True
                else:
                    if r.get('src'):
                        s.bind((local_ip, r['src']))
                    e = s.connect_ex((r['host'], r['port']))
                    if e not in (0, errno.EINPROGRESS):
                        emit(ev='error', h=h, code=errno.errorcode.get(e, 'EIO'))
                        s.close()
                        return
                    c.connecting = True
                    emit(ev='bound', h=h, lport=s.getsockname()[1])
            except OSError as e:
                emit(ev='error', h=h, code=errno.errorcode.get(e.errno, 'EIO'))
                s.close()
                return
            add(c)
        elif c is None:
            return  # closed meanwhile
        elif op == 'write':
            c.out += bytes.fromhex(r['hex'])
            if not c.connecting:
                flush(c)
        elif op == 'end':
            c.shut = True
            if not c.connecting:
                flush(c)
        elif op == 'close':
            drop(c)
        elif op == 'pause':
            c.paused = True
            watch(c)
        elif op == 'resume':
            c.paused = False
            watch(c)
            readable(c)
        elif op == 'keepalive':
            c.s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1 if r['on'] else 0)

    def readable(c):
        while not c.paused and not c.eof:
            try:
                b = c.s.recv(1 << 16)
            except BlockingIOError:
                return
            except OSError as e:
                return fail(c, e.errno)
            if not b:
                c.eof = True
                watch(c)
                emit(ev='end', h=c.h)
                return
            emit(ev='data', h=c.h, n=len(b))

    def event(c, ev):
        if c.listening:
            while True:
                try:
                    s, peer = c.s.accept()
                except BlockingIOError:
                    return
                s.setblocking(False)
                n = Conn(s, accepted[0])
                accepted[0] += 1
                add(n)
                emit(ev='accept', h=n.h, listener=c.h, lport=s.getsockname()[1], rport=peer[1])
        if c.connecting:
            err = c.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return fail(c, err)
            if not ev & select.POLLOUT:
                return
            c.connecting = False
            emit(ev='connect', h=c.h)
            flush(c)
            if c.h not in conns:
                return
        if ev & select.POLLIN:
            readable(c)
        if c.h in conns and ev & select.POLLOUT:
            flush(c)
        if c.h in conns and ev & select.POLLERR:
            err = c.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return fail(c, err)
        if c.h in conns and ev & select.POLLHUP and (c.paused or c.eof) and not c.out:
            # Both directions are done (or nobody reads): nothing more to wait for on this socket.
            poller.unregister(c.s.fileno())

    poller.register(3, select.POLLIN)
    buf = ''
    emit(ev='hello', pid=os.getpid())
    while True:
        for fd, ev in poller.poll():
            if fd == 3:
                chunk = os.read(3, 1 << 16).decode()
                if not chunk:
                    return
                buf += chunk
                while NL in buf:
                    line, buf = buf.split(NL, 1)
                    request(json.loads(line))
            elif fd in byfd:
                event(byfd[fd], ev)


def main():
    addr, sysctls = sys.argv[1], json.loads(sys.argv[2])
    libc = die_with_parent()
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'cannot create a network namespace (unshare: needs CAP_SYS_ADMIN)')
    tun = setup(addr, sysctls)
    pid = os.fork()
    if pid == 0:
        try:
            die_with_parent()
            os.close(tun)
            os.close(0)
            os.close(1)
            app(addr.split('/')[0])
        finally:
            os._exit(0)
    os.close(3)
    os.close(4)
    relay(tun, {'pid': pid})


try:
    main()
except Exception as e:  # one line for Node, no traceback
    sys.stderr.write('%s%s' % (e, NL))
    sys.exit(1)
`;
