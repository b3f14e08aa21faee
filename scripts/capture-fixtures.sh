#!/usr/bin/env bash
# Makes the real-traffic capture fixtures under test/fixtures/ and their expected values from tshark.
#
# The Linux kernel's own TCP runs between two network namespaces joined by a veth pair (offloads off, so
# every checksum on the wire is real); tcpdump/dumpcap capture it. A few formats no tool writes directly
# (big-endian pcap, VLAN-tagged frames, raw IP link types, a big-endian pcapng with extra blocks) are
# derived from those captures by the small Python converter below. Expected values for every fixture come
# from tshark (test/fixtures/<name>.tshark.tsv) and tcpdump (<name>.tcpdump.txt), never from wasm-tcp itself.
#
# Needs root, iproute2, tcpdump, tshark (+ editcap, dumpcap), python3; ethtool and iptables are used when
# present (iptables drops a few bulk segments so the receiver sends SACK blocks).
#   apt-get install -y tcpdump tshark ethtool iptables
# Usage: sudo scripts/capture-fixtures.sh            (regenerates everything in test/fixtures/)
#        sudo scripts/capture-fixtures.sh --l2       (only the ARP/ICMP captures l2*.pcap, then --derived)
#        scripts/capture-fixtures.sh --derived       (re-derives the converted files from the captures, then tshark)
#        scripts/capture-fixtures.sh --expected      (only re-runs tshark and tcpdump over the existing captures)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/fixtures
mkdir -p "$OUT"

NS_A=wtcp-fx-a
NS_B=wtcp-fx-b
VETH_A=wtcp-fx-va
VETH_B=wtcp-fx-vb
A=10.199.0.1
B=10.199.0.2
A6=fd00:199::1
B6=fd00:199::2
TMP=$(mktemp -d /tmp/wtcp-fx.XXXXXX)

for tool in tshark tcpdump editcap python3; do
  command -v "$tool" >/dev/null || { echo "capture-fixtures: $tool is missing (apt-get install tshark tcpdump python3)" >&2; exit 1; }
done

# ---------------------------------------------------------------- Python: traffic and converters
cat >"$TMP/fx.py" <<'PY'
"""Traffic generator and pcap converters for scripts/capture-fixtures.sh (independent of wasm-tcp)."""
import os, socket, struct, sys, threading, time

# ---- traffic ----

def recv_all(s):
    n = 0
    while True:
        b = s.recv(65536)
        if not b:
            return n
        n += len(b)

def serve(port, handler):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(8)
    def loop():
        while True:
            c, _ = ls.accept()
            threading.Thread(target=handler, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()

def h_echo(c):  # read to EOF, answer 1000 bytes, orderly close
    recv_all(c)
    c.sendall(b'r' * 1000)
    c.close()

def h_sink(c):  # read to EOF, close
    recv_all(c)
    c.close()

def h_abort(c):  # the client aborts: expect its RST
    try:
        recv_all(c)
    except ConnectionResetError:
        pass
    c.close()

def h_unread(c):  # close with unread data: the kernel answers with RST (RFC 2525 §2.17)
    time.sleep(0.3)
    c.close()

def server(ready):
    serve(8080, h_echo)
    serve(8081, h_sink)
    serve(8082, h_abort)
    serve(8083, h_unread)
    open(ready, 'w').close()
    while True:
        time.sleep(1)

def client_small(b, b6):
    s = socket.create_connection((b, 8080))  # SYN with MSS, SACK-permitted, timestamps, window scale
    s.sendall(b'q' * 3000)
    s.shutdown(socket.SHUT_WR)                # our FIN
    assert recv_all(s) == 1000                # their data and FIN
    s.close()
    time.sleep(0.1)
    try:                                      # closed port: RST/ACK
        socket.create_connection((b, 9), timeout=2).close()
    except ConnectionRefusedError:
        pass
    time.sleep(0.1)
    s = socket.create_connection((b, 8082))   # abort with SO_LINGER 0: RST
    s.sendall(b'a' * 100)
    time.sleep(0.1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    time.sleep(0.1)
    s = socket.create_connection((b, 8083))   # peer closes with our data unread: RST from the peer
    s.sendall(b'u' * 500)
    time.sleep(0.5)
    s.close()
    time.sleep(0.1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)   # one UDP datagram (port unreachable comes back)
    u.sendto(b'udp', (b, 9999))
    u.close()
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)  # one IPv6 datagram
    u.sendto(b'udp6', (b6, 9999))
    u.close()
    time.sleep(0.3)

def client_bulk(b, size):
    s = socket.create_connection((b, 8081))
    s.sendall(bytes(i & 0xff for i in range(size)))
    s.shutdown(socket.SHUT_WR)
    recv_all(s)
    s.close()
    time.sleep(0.3)

# ---- pcap files (written here, independently of wasm-tcp's reader) ----

def read_pcap(path):
    d = open(path, 'rb').read()
    m = d[:4]
    e = '<' if m in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    magic, vmaj, vmin, zone, sig, snap, lt = struct.unpack(e + 'IHHiIII', d[:24])
    recs, off = [], 24
    while off + 16 <= len(d):
        sec, frac, cap, orig = struct.unpack(e + 'IIII', d[off:off + 16])
        recs.append([sec, frac, d[off + 16:off + 16 + cap], orig])
        off += 16 + cap
    return magic, snap, lt, recs

def write_pcap(path, magic, snap, lt, recs, e='<'):
    with open(path, 'wb') as f:
        f.write(struct.pack(e + 'IHHiIII', magic, 2, 4, 0, 0, snap, lt))
        for sec, frac, data, orig in recs:
            f.write(struct.pack(e + 'IIII', sec, frac, len(data), orig) + data)

def eth_payload(frame):
    """(ethertype, offset of the payload) after any VLAN tags."""
    t, off = struct.unpack('>H', frame[12:14])[0], 14
    while t in (0x8100, 0x88a8, 0x9100) and len(frame) >= off + 4:
        t, off = struct.unpack('>H', frame[off + 2:off + 4])[0], off + 4
    return t, off

def to_big_endian(src, dst):
    magic, snap, lt, recs = read_pcap(src)
    write_pcap(dst, magic, snap, lt, recs, '>')

def to_vlan(src, dst):
    """Every 3rd frame keeps no tag, one in three gets an 802.1Q tag (VID 100), one in three
    802.1ad + 802.1Q (S-VID 200, C-VID 300): what a trunk port would carry."""
    magic, snap, lt, recs = read_pcap(src)
    assert lt == 1
    out = []
    for i, (sec, frac, data, orig) in enumerate(recs):
        if i % 3 == 1:
            tag = struct.pack('>HH', 0x8100, 100)
        elif i % 3 == 2:
            tag = struct.pack('>HHHH', 0x88a8, 0x2000 | 200, 0x8100, 300)
        else:
            tag = b''
        out.append([sec, frac, data[:12] + tag + data[12:], orig + len(tag)])
    write_pcap(dst, magic, snap, lt, out)

def to_raw(src, dst, linktype):
    """Strips the Ethernet header: link type 101 (IPv4 and IPv6) or 228 (IPv4 only)."""
    magic, snap, lt, recs = read_pcap(src)
    assert lt == 1
    out = []
    for sec, frac, data, orig in recs:
        t, off = eth_payload(data)
        if t == 0x0800 or (t == 0x86dd and linktype == 101):
            out.append([sec, frac, data[off:], orig - off])
    write_pcap(dst, magic, snap, linktype, out)

def ip_checksum(h):
    s = sum(struct.unpack('>%dH' % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def to_bad_checksums(src, dst):
    """Damages checksums of IPv4/TCP frames in turn: the TCP checksum field, one payload or header byte
    (so the TCP checksum no longer matches), or the IPv4 header checksum; every 4th frame stays intact."""
    magic, snap, lt, recs = read_pcap(src)
    assert lt == 1
    out, n = [], 0
    for sec, frac, data, orig in recs:
        t, off = eth_payload(data)
        if t == 0x0800 and data[off + 9] == 6:
            f = bytearray(data)
            ihl = (f[off] & 15) * 4
            tcp = off + ihl
            kind = n % 4
            if kind == 0:
                f[tcp + 16] ^= 0x5a                      # TCP checksum field
            elif kind == 1:
                f[tcp + 14] ^= 0x01                      # window: covered by the TCP checksum
            elif kind == 2:
                f[off + 10] ^= 0xff                      # IPv4 header checksum
                assert ip_checksum(bytes(f[off:off + ihl])) != 0
            n += 1
            data = bytes(f)
        out.append([sec, frac, data, orig])
    write_pcap(dst, magic, snap, lt, out)

def block(e, btype, body):
    body += b'\0' * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + 'II', btype, n) + body + struct.pack(e + 'I', n)

def opt(e, code, value):
    return struct.pack(e + 'HH', code, len(value)) + value + b'\0' * (-len(value) % 4)

def to_pcapng_be(src, dst):
    """Big-endian pcapng with the blocks a reader must skip: a Name Resolution Block, a custom block
    and an Interface Statistics Block, besides SHB/IDB/EPB."""
    e = '>'
    magic, snap, lt, recs = read_pcap(src)
    assert magic == 0xa1b2c3d4
    end = struct.pack(e + 'HH', 0, 0)
    out = [block(e, 0x0A0D0D0A, struct.pack(e + 'IHHq', 0x1A2B3C4D, 1, 0, -1)
                 + opt(e, 4, b'wasm-tcp capture-fixtures.sh') + end),
           block(e, 1, struct.pack(e + 'HHI', lt, 0, snap)
                 + opt(e, 2, b'wtcp-fx-vb') + opt(e, 9, bytes([6])) + end)]
    last = 0
    for i, (sec, frac, data, orig) in enumerate(recs):
        ts = sec * 1000000 + frac
        last = ts
        out.append(block(e, 6, struct.pack(e + 'IIIII', 0, ts >> 32, ts & 0xffffffff, len(data), orig) + data))
        if i == 2:
            # NRB records share the option layout: type 1 (IPv4), address then a NUL-terminated name.
            out.append(block(e, 4, opt(e, 1, socket.inet_aton('10.199.0.2') + b'fx-b.test\0') + end))
            # A Decryption Secrets Block and a block type nobody defined: both skipped by their length.
            out.append(block(e, 0x0000000A, struct.pack(e + 'II', 0x544c534b, 8) + b'# secret'))
            out.append(block(e, 0x00000099, b'reserved block type, skip me'))
    out.append(block(e, 5, struct.pack(e + 'III', 0, last >> 32, last & 0xffffffff) + end))
    open(dst, 'wb').write(b''.join(out))

# ---- ARP and ICMP frames the kernel does not send by itself ----

def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(':'))

def l2_frames(dev, a_ip, b_ip, b_mac):
    """From A's side of the veth (AF_PACKET): a unicast ARP request with the target MAC filled in
    (a re-confirmation probe) padded to 60 bytes as a NIC pads it, a gratuitous ARP request and reply,
    an ARP packet with another operation, and an echo request with a wrong ICMP checksum."""
    am = mac_bytes(open('/sys/class/net/%s/address' % dev).read().strip())
    bm, bc, zero = mac_bytes(b_mac), b'\xff' * 6, b'\0' * 6
    ai, bi = socket.inet_aton(a_ip), socket.inet_aton(b_ip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    def arp(dst, op, sha, spa, tha, tpa, pad=0):
        return dst + am + b'\x08\x06' + struct.pack('>HHBBH', 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa + b'\0' * pad
    for f in (arp(bm, 1, am, ai, bm, bi, 18), arp(bc, 1, am, ai, zero, ai, 18), arp(bc, 2, am, ai, bc, ai),
              arp(bc, 9, am, ai, zero, bi)):
        s.send(f)
        time.sleep(0.1)
    icmp = bytearray(struct.pack('>BBHHH', 8, 0, 0, 0x1234, 7) + b'wrong checksum!!')
    icmp[2:4] = struct.pack('>H', (ip_checksum(bytes(icmp)) + 1) & 0xffff)
    ip = bytearray(struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 0x4242, 0, 64, 1, 0, ai, bi))
    ip[10:12] = struct.pack('>H', ip_checksum(bytes(ip)))
    s.send(bm + am + b'\x08\x00' + bytes(ip) + bytes(icmp))
    time.sleep(0.1)

def proto_unreach(b):
    """A datagram of IP protocol 253 (RFC 3692 experimentation): nobody speaks it, so the peer's
    kernel answers with ICMP protocol unreachable."""
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253)
    r.sendto(b'experimental', (b, 0))
    time.sleep(0.2)

if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'server': server(*args)
    elif cmd == 'small': client_small(*args)
    elif cmd == 'bulk': client_bulk(args[0], int(args[1]))
    elif cmd == 'be': to_big_endian(*args)
    elif cmd == 'vlan': to_vlan(*args)
    elif cmd == 'raw': to_raw(args[0], args[1], int(args[2]))
    elif cmd == 'pcapng-be': to_pcapng_be(*args)
    elif cmd == 'badsum': to_bad_checksums(*args)
    elif cmd == 'l2': l2_frames(*args)
    elif cmd == 'proto': proto_unreach(*args)
    else: sys.exit('unknown command ' + cmd)
PY
fx() { python3 "$TMP/fx.py" "$@"; }

# ---------------------------------------------------------------- expected values from tshark
FIELDS=(frame.number frame.time_epoch frame.len frame.cap_len frame.protocols
  ip.src ip.dst ip.ttl ip.id ip.len ip.checksum.status
  tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.flags tcp.window_size_value tcp.len
  tcp.checksum tcp.checksum.status tcp.option_kind tcp.options.mss_val tcp.options.wscale.shift
  tcp.options.sack_le tcp.options.sack_re tcp.options.timestamp.tsval tcp.options.timestamp.tsecr
  arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4
  icmp.type icmp.code icmp.checksum icmp.checksum.status icmp.ident icmp.seq)

expected() {
  local f=$1 args=()
  for x in "${FIELDS[@]}"; do args+=(-e "$x"); done
  tshark -r "$f" -n -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, \
    -o tcp.relative_sequence_numbers:FALSE -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
    -o tcp.analyze_sequence_numbers:FALSE -o tcp.desegment_tcp_streams:FALSE \
    "${args[@]}" >"${f%.*}.$(ext "$f").tshark.tsv" 2>/dev/null
  # tcpdump's own one-line form: the reference for the human form of `wasm-tcp decode`.
  tcpdump -n -S -r "$f" >"${f%.*}.$(ext "$f").tcpdump.txt" 2>/dev/null
}
ext() { echo "${1##*.}"; }

all_expected() {
  for f in "$OUT"/*.pcap "$OUT"/*.pcapng; do
    expected "$f"
    echo "  $(basename "$f"): $(($(wc -l <"${f%.*}.$(ext "$f").tshark.tsv") - 1)) packets, $(stat -c %s "$f") bytes"
  done
}

# ---------------------------------------------------------------- derived formats, then tshark
finish() {
  echo "capture-fixtures: derived formats"
  fx be "$OUT/eth.pcap" "$OUT/eth-be.pcap"
  fx be "$OUT/eth-ns.pcap" "$OUT/eth-ns-be.pcap"
  fx vlan "$OUT/eth.pcap" "$OUT/vlan.pcap"
  fx raw "$OUT/eth.pcap" "$OUT/raw.pcap" 101
  fx raw "$OUT/eth.pcap" "$OUT/ipv4.pcap" 228
  fx badsum "$OUT/eth.pcap" "$OUT/bad-checksums.pcap"
  fx pcapng-be "$OUT/eth.pcap" "$OUT/eth-be.pcapng"
  editcap -F pcapng "$OUT/eth-ns.pcap" "$OUT/eth-ns.pcapng"
  chmod 644 "$OUT"/*.pcap "$OUT"/*.pcapng
  echo "capture-fixtures: expected values (tshark $(tshark --version | head -1 | awk '{print $3}'))"
  all_expected
}

ONLY_L2=0
case "${1:-}" in
  --expected) all_expected; rm -rf "$TMP"; exit 0 ;;
  --derived) finish; rm -rf "$TMP"; exit 0 ;;
  --l2) ONLY_L2=1 ;;
  "") ;;
  *) echo "usage: $0 [--l2|--derived|--expected]" >&2; exit 2 ;;
esac

# ---------------------------------------------------------------- namespaces
[ "$(id -u)" = 0 ] || { echo "capture-fixtures: must run as root (network namespaces)" >&2; exit 1; }
for tool in ip tcpdump dumpcap ping sysctl; do
  command -v "$tool" >/dev/null || { echo "capture-fixtures: $tool is missing" >&2; exit 1; }
done

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B"
inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }
for side in A B; do
  ns=NS_$side dev=VETH_$side v4=$side v6=${side}6
  ip -n "${!ns}" link set lo up
  ip -n "${!ns}" addr add "${!v4}/24" dev "${!dev}"
  ip -n "${!ns}" addr add "${!v6}/64" dev "${!dev}" nodad
  ip -n "${!ns}" link set "${!dev}" up
  # No offloads: segments are at most one MSS and carry real checksums, as on a physical wire.
  if command -v ethtool >/dev/null; then
    ip netns exec "${!ns}" ethtool -K "${!dev}" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
  else
    echo "capture-fixtures: ethtool missing, offloads stay on (checksums may be partial)" >&2
  fi
done
sleep 1 # let link-up chatter (IPv6 MLD/RS) pass before capturing

ip netns exec "$NS_B" python3 "$TMP/fx.py" server "$TMP/ready" &
PIDS+=($!)
for _ in $(seq 50); do [ -e "$TMP/ready" ] && break; sleep 0.1; done

CAPS=()
start_cap() { # name, namespace, command...: starts a capture and waits until it listens
  local log="$TMP/$1.log" ns=$2; shift 2
  # `ip netns exec` execs the capture tool, so $! is the tool itself and SIGINT reaches it.
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  CAPS+=($!)
  for _ in $(seq 50); do grep -qsE 'listening on|Capturing on' "$log" && return; sleep 0.1; done
  echo "capture-fixtures: capture did not start: $(cat "$log")" >&2; exit 1
}
stop_caps() {
  sleep 0.5
  for p in "${CAPS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${CAPS[@]}"; do wait "$p" 2>/dev/null || true; done
  CAPS=()
}

# ---------------------------------------------------------------- phase 3 (first): ARP and ICMP
echo "capture-fixtures: ARP and ICMP (pings, a neighbour nobody has, gratuitous ARP, crafted frames)"
inA ip neigh flush dev "$VETH_A" 2>/dev/null || true
start_cap l2 "$NS_B" tcpdump -n -U -i "$VETH_B" -w "$OUT/l2.pcap"
start_cap l2s64 "$NS_B" tcpdump -n -U -i "$VETH_B" -s 64 -w "$OUT/l2-s64.pcap"
inA ping -n -c 3 -i 0.2 -s 100 "$B" >/dev/null                  # ARP request/reply, echo request/reply
inA ping -n -c 1 -s 0 "$B" >/dev/null                           # an echo without data: length 8
inA ping -n -c 1 -W 4 10.199.0.99 >/dev/null 2>&1 || true       # nobody has it: 3 ARP requests, no reply
inA python3 "$TMP/fx.py" l2 "$VETH_A" "$A" "$B" "$(inB cat /sys/class/net/$VETH_B/address)"
inA python3 "$TMP/fx.py" proto "$B"                             # ICMP protocol 253 unreachable
inA sysctl -qw "net.ipv4.conf.$VETH_A.arp_notify=1"
inA ip link set dev "$VETH_A" address 02:00:0a:c7:00:01          # arp_notify: a gratuitous ARP for the new MAC
stop_caps
if [ "$ONLY_L2" = 1 ]; then finish; exit 0; fi

# ---------------------------------------------------------------- phase 1: a short conversation, many formats
echo "capture-fixtures: short conversation (handshake, data, FIN, RSTs, UDP, IPv6)"
inA ip neigh flush dev "$VETH_A" 2>/dev/null || true # so the capture starts with ARP
start_cap eth "$NS_B" tcpdump -n -U -i "$VETH_B" -w "$OUT/eth.pcap"
start_cap ethns "$NS_B" tcpdump -n -U -i "$VETH_B" --time-stamp-precision=nano -w "$OUT/eth-ns.pcap"
start_cap sll "$NS_B" tcpdump -n -U -i any -y LINUX_SLL -w "$OUT/sll.pcap"
start_cap sll2 "$NS_B" tcpdump -n -U -i any -y LINUX_SLL2 -w "$OUT/sll2.pcap"
start_cap dumpcap "$NS_B" dumpcap -n -i "$VETH_B" -w "$OUT/dumpcap.pcapng"
inA python3 "$TMP/fx.py" small "$B" "$B6"
stop_caps

# ---------------------------------------------------------------- phase 2: bulk data with losses (SACK)
echo "capture-fixtures: bulk transfer (200 KB, a few drops for SACK)"
IPT=""
for t in iptables iptables-legacy; do
  if command -v $t >/dev/null && inB $t -L INPUT >/dev/null 2>&1; then IPT=$t; break; fi
done
if [ -n "$IPT" ]; then
  # Drops on B's input, after the veth (the sender's stack hands netfilter GSO super-packets, so its
  # OUTPUT chain is no place to lose one segment); captured at A, the wire looks like a lossy link.
  # Two holes in one window make the receiver send SACK with two blocks.
  inB $IPT -A INPUT -p tcp --dport 8081 -m length --length 1000:65535 -m statistic --mode nth --every 40 --packet 10 -j DROP
  inB $IPT -A INPUT -p tcp --dport 8081 -m length --length 1000:65535 -m statistic --mode nth --every 40 --packet 14 -j DROP
else
  echo "capture-fixtures: no working iptables: no drops, no SACK blocks in bulk.pcap" >&2
fi
start_cap bulk "$NS_A" tcpdump -n -U -i "$VETH_A" -w "$OUT/bulk.pcap"
start_cap s96 "$NS_A" tcpdump -n -U -i "$VETH_A" -s 96 -w "$OUT/bulk-s96.pcap"
inA python3 "$TMP/fx.py" bulk "$B" 200000
stop_caps

finish
