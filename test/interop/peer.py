#!/usr/bin/env python3
"""Kernel-side peer for the TUN interop tests: uses the Linux kernel's own TCP.

Each command prints JSON lines on stdout (flushed), e.g. {"event": "listening"} for readiness and a
final result line, so the test harness never needs fixed sleeps.
"""
import hashlib
import json
import os
import socket
import sys
import threading
import time


def say(**fields):
    print(json.dumps(fields), flush=True)


def read_to_eof(s):
    """Read s until the peer's FIN; return the byte count and the sha256 (hex) of what arrived."""
    h = hashlib.sha256()
    n = 0
    while True:
        b = s.recv(262144)
        if not b:
            return n, h.hexdigest()
        h.update(b)
        n += len(b)


def connect(host, port):
    try:
        return socket.create_connection((host, port), timeout=30)
    except ConnectionRefusedError:
        say(event="error", error="ECONNREFUSED")
        sys.exit(1)


def echo_client(host, port, nbytes):
    """Send nbytes, half-close (our FIN goes first), read the echo to EOF, close."""
    data = os.urandom(nbytes)
    s = connect(host, port)
    say(event="connected", local=s.getsockname()[1])

    def writer():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=writer)
    t.start()
    n, got = read_to_eof(s)
    t.join()
    s.close()
    say(event="done", sent=nbytes, sent_sha256=hashlib.sha256(data).hexdigest(), received=n, received_sha256=got)


def source(host, port, nbytes, stall_after, mark):
    """Send nbytes then close; with stall_after, send that many bytes and wait to be killed.

    With mark > 0, says {"event": "progress"} once mark bytes have been handed to the kernel.
    """
    s = connect(host, port)
    say(event="connected", local=s.getsockname()[1])
    h = hashlib.sha256()
    sent = 0
    limit = stall_after if stall_after >= 0 else nbytes
    while sent < limit:
        chunk = os.urandom(min(65536, limit - sent))
        s.sendall(chunk)
        h.update(chunk)
        if sent < mark <= sent + len(chunk):
            say(event="progress", sent=sent + len(chunk))
        sent += len(chunk)
    if stall_after >= 0:
        # Wait until everything sent was acknowledged, then report and wait to be killed.
        while True:
            info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
            unacked = int.from_bytes(info[24:28], "little")  # tcpi_unacked
            if unacked == 0:
                break
            time.sleep(0.01)
        say(event="stalled", sent=sent, sha256=h.hexdigest())
        time.sleep(3600)
    s.close()
    say(event="done", sent=sent, sha256=h.hexdigest())


def sink(bind, port, read):
    """Accept one connection; read to EOF and report (or, with read=False, never read)."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind, port))
    ls.listen(1)
    say(event="listening", port=ls.getsockname()[1])
    c, addr = ls.accept()
    say(event="accepted", peer="%s:%d" % addr)
    if not read:
        time.sleep(3600)
    n, got = read_to_eof(c)
    c.close()
    say(event="done", received=n, sha256=got)


def hold(host, port, ping=False):
    """Connect, stay idle, and report how the connection ends (our peer's FIN or RST).

    With ping, one byte must come back first (an echo server): proof that the other side has
    accepted the connection, not just that our handshake completed.
    """
    s = connect(host, port)
    s.settimeout(None)
    if ping:
        s.sendall(b"p")
        if s.recv(1) != b"p":
            sys.exit("hold: no echo of the ping byte")
    say(event="connected", local=s.getsockname()[1])
    try:
        while s.recv(65536):
            pass
        say(event="closed", how="eof")
    except ConnectionResetError:
        say(event="closed", how="reset")


def try_connect(host, port):
    s = socket.socket()
    s.settimeout(10)
    try:
        s.connect((host, port))
        say(event="connected")
    except ConnectionRefusedError:
        say(event="error", error="ECONNREFUSED")
    except OSError as e:
        say(event="error", error=str(e))


def chunked_server(port, nbytes):
    """Serve one HTTP/1.1 response of nbytes random bytes in chunks of varying size, then exit."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    say(event="listening", port=port)
    c, _ = ls.accept()
    request = b""
    while b"\r\n\r\n" not in request:
        b = c.recv(4096)
        if not b:
            return
        request += b
    body = os.urandom(nbytes)
    c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    i, size = 0, 1
    while i < nbytes:
        n = min(size, nbytes - i)
        c.sendall(b"%x;ext=1\r\n" % n + body[i:i + n] + b"\r\n")
        i += n
        size = size * 3 + 7 if size < 200000 else 1
    c.sendall(b"0\r\nX-Trailer: yes\r\n\r\n")
    c.close()
    say(event="done", sent=nbytes, sha256=hashlib.sha256(body).hexdigest(), request=request.split(b"\r\n")[0].decode())


def udp_flood(host, port, count, size):
    """Send count UDP datagrams of size payload bytes as fast as possible."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    payload = os.urandom(size)
    start = time.perf_counter()
    sent = 0
    for _ in range(count):
        try:
            s.send(payload)
            sent += 1
        except (BlockingIOError, ConnectionRefusedError):
            pass
    say(event="done", sent=sent, seconds=time.perf_counter() - start)


def udp_count(port, idle):
    """Count UDP datagrams arriving on port until idle seconds pass without one (after the first)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", port))
    say(event="listening", port=port)
    n = nbytes = 0
    first = last = 0.0
    s.settimeout(None)
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        last = time.perf_counter()
        if n == 0:
            first = last
            s.settimeout(idle)
        n += 1
        nbytes += len(b)
    say(event="done", received=n, bytes=nbytes, seconds=last - first)


def main(argv):
    cmd = argv[0]
    if cmd == "echo-client":
        echo_client(argv[1], int(argv[2]), int(argv[3]))
    elif cmd == "source":
        source(argv[1], int(argv[2]), int(argv[3]), int(argv[4]) if len(argv) > 4 else -1, int(argv[5]) if len(argv) > 5 else 0)
    elif cmd == "sink":
        sink(argv[1], int(argv[2]), len(argv) < 4 or argv[3] != "noread")
    elif cmd == "chunked-server":
        chunked_server(int(argv[1]), int(argv[2]))
    elif cmd == "udp-flood":
        udp_flood(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    elif cmd == "udp-count":
        udp_count(int(argv[1]), float(argv[2]))
    elif cmd == "hold":
        hold(argv[1], int(argv[2]), ping=argv[3:4] == ["ping"])
    elif cmd == "connect":
        try_connect(argv[1], int(argv[2]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
