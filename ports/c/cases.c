/* The life-cycle cases of issue 17, run by the C host on two engines (A = 10.0.0.1 client, B = 10.0.0.2
 * server) over netsim: each case builds fresh engines, drives them through the public API (wasm_tcp.h)
 * only, checks what happened on the wire and in the events, and prints one PASS/FAIL line. */
#include "cases.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "netsim.h"
#include "wasm_tcp.h"

#define A 0
#define B 1
#define A_ADDR 0x0A000001u
#define B_ADDR 0x0A000002u
#define PORT 80
#define CLOSED_PORT 81
#define DELAY_MS 1.0
#define TRANSFER_BYTES (1024u * 1024u)
/** Transmissions of one segment the crash case records (1 + dataRetries at most). */
#define MAX_TX 64

typedef struct kv { int key; double value; } kv;

typedef struct profile {
  const char *name;
  const kv *config;
  int count;
  /** Each engine must stay in its initial 64 KiB page. */
  int one_page;
} profile;

/* An MCU-sized engine: 4 connections with 4 KiB rings, a 1600-byte rx area (one Ethernet frame's IPv4
 * packet), a 6 KiB tx area, 64 events, one IP interface (a one-entry ARP cache, no resolution queue):
 * about 47 KiB laid out, inside the module's one initial page. */
static const kv MCU_CONFIG[] = {
  { WTCP_CFG_MAX_CONNECTIONS, 4 }, { WTCP_CFG_MAX_LISTENERS, 2 }, { WTCP_CFG_BACKLOG, 4 },
  { WTCP_CFG_SEND_BUFFER_SIZE, 4096 }, { WTCP_CFG_RECV_BUFFER_SIZE, 4096 }, { WTCP_CFG_RX_SLOT_SIZE, 1600 },
  { WTCP_CFG_TX_QUEUE_SIZE, 6144 }, { WTCP_CFG_EVENT_QUEUE_SIZE, 64 },
  { WTCP_CFG_MAX_INTERFACES, 1 }, { WTCP_CFG_ARP_CACHE_SIZE, 1 }, { WTCP_CFG_ARP_QUEUE_BYTES, 0 },
};

static const profile PROFILES[] = {
  { "host", NULL, 0, 0 },
  { "mcu", MCU_CONFIG, (int)(sizeof MCU_CONFIG / sizeof MCU_CONFIG[0]), 1 },
};

/** State of the case being run (one at a time). */
typedef struct run {
  const profile *prof;
  char why[160];    /* first failure */
  int listener;
  int conn[NET_NODES];
  int connected, closed[NET_NODES], err[NET_NODES];
  double closed_at[NET_NODES], tw_at;
  /* transfer */
  uint32_t sent, recvd, crc_tx, crc_rx, goal;
  int shut, eof;
  /* crash / reset / refused */
  uint32_t watch_seq;
  int watching, ntx, rst_from_b, syn_from_a;
  double tx_at[MAX_TX];
} run;

static net g_net;
static run g_run;
static uint8_t g_buf[1460];

static void fail(run *r, const char *why) {
  if (!r->why[0]) snprintf(r->why, sizeof r->why, "%s", why);
}

/** Byte `i` of the transfer: a hash of its 32-bit word, so any offset can be regenerated. */
static uint8_t pattern(uint32_t i) {
  uint32_t x = (i >> 2) * 0x9E3779B1u;
  x ^= x >> 15; x *= 0x85EBCA77u; x ^= x >> 13;
  return (uint8_t)(x >> ((i & 3) * 8));
}

static void fill(uint8_t *p, uint32_t from, size_t n) {
  for (size_t k = 0; k < n; k++) p[k] = pattern(from + (uint32_t)k);
}

/** "123.4" for a time in ms. */
static const char *ms(char *out, size_t cap, double t) {
  unsigned long tenths = (unsigned long)(t * 10 + 0.5);
  snprintf(out, cap, "%lu.%lu", tenths / 10, tenths % 10);
  return out;
}

static int boot(net *n, int node, uint64_t seed) {
  run *r = n->ctx;
  wtcp_engine *e = wtcp_create();
  if (!e) { fail(r, "wtcp_create: out of memory"); return -1; }
  for (int i = 0; i < r->prof->count; i++) {
    if (wtcp_config_set(e, r->prof->config[i].key, r->prof->config[i].value) != 0) {
      fail(r, "config rejected");
      wtcp_destroy(e);
      return -1;
    }
  }
  int rc = wtcp_init(e, n->addr[node], seed);
  if (rc != 0) {
    char m[64];
    snprintf(m, sizeof m, "wtcp_init: %d", rc);
    fail(r, m);
    wtcp_destroy(e);
    return -1;
  }
  if (r->prof->one_page && wtcp_memory_size(e) != 65536) {
    char m[96];
    snprintf(m, sizeof m, "engine memory %lu bytes, not one 64 KiB page", (unsigned long)wtcp_memory_size(e));
    fail(r, m);
  }
  n->engine[node] = e;
  return 0;
}

static void crash(net *n, int node) {
  wtcp_destroy(n->engine[node]);
  n->engine[node] = NULL;
}

/** Fresh network and run state, both engines up, B listening on PORT. */
static int setup(const profile *prof) {
  net *n = &g_net;
  run *r = &g_run;
  for (int i = 0; i < NET_NODES; i++) if (n->engine[i]) wtcp_destroy(n->engine[i]);
  net_reset(n, DELAY_MS, 0);
  memset(r, 0, sizeof *r);
  r->prof = prof;
  r->conn[A] = r->conn[B] = -1;
  n->ctx = r;
  n->addr[A] = A_ADDR;
  n->addr[B] = B_ADDR;
  if (boot(n, A, 1) || boot(n, B, 2)) return -1;
  r->listener = wtcp_listen(n->engine[B], PORT, 0);
  if (r->listener < 0) { fail(r, "listen failed"); return -1; }
  return 0;
}

static void teardown(void) {
  for (int i = 0; i < NET_NODES; i++) {
    if (g_net.engine[i]) wtcp_destroy(g_net.engine[i]);
    g_net.engine[i] = NULL;
  }
}

/** A writes the transfer pattern while the send buffer takes it, then half-closes. */
static void pump_send(net *n, run *r) {
  wtcp_engine *e = n->engine[A];
  while (r->sent < r->goal) {
    size_t want = r->goal - r->sent < sizeof g_buf ? r->goal - r->sent : sizeof g_buf;
    fill(g_buf, r->sent, want);
    long k = wtcp_send(e, r->conn[A], g_buf, want, n->now);
    if (k == -WTCP_EAGAIN) return; /* WTCP_EV_WRITABLE will follow */
    if (k <= 0) { fail(r, "send failed"); return; }
    r->crc_tx = crc32_update(r->crc_tx, g_buf, (size_t)k);
    r->sent += (uint32_t)k;
  }
  if (!r->shut && r->goal > 0) {
    r->shut = 1;
    if (wtcp_shutdown(e, r->conn[A], WTCP_SHUT_WR, n->now) != 0) fail(r, "shutdown failed");
  }
}

/** B reads everything there is; at end of stream it closes its side. */
static void pump_recv(net *n, run *r) {
  wtcp_engine *e = n->engine[B];
  for (;;) {
    long k = wtcp_recv(e, r->conn[B], g_buf, sizeof g_buf, n->now);
    if (k == -WTCP_EAGAIN) return;
    if (k < 0) { fail(r, "recv failed"); return; }
    if (k == 0) {
      if (!r->eof) {
        r->eof = 1;
        if (wtcp_close(e, r->conn[B], n->now) != 0) fail(r, "close failed");
      }
      return;
    }
    r->crc_rx = crc32_update(r->crc_rx, g_buf, (size_t)k);
    r->recvd += (uint32_t)k;
  }
}

static void on_event(net *n, int node, const wtcp_event *ev) {
  run *r = n->ctx;
  wtcp_engine *e = n->engine[node];
  switch (ev->kind) {
    case WTCP_EV_ACCEPT:
      if (node == B) r->conn[B] = wtcp_accept(e, r->listener);
      break;
    case WTCP_EV_CONNECTED:
      if (node == A && ev->conn == r->conn[A]) { r->connected = 1; pump_send(n, r); }
      break;
    case WTCP_EV_WRITABLE:
      if (node == A && ev->conn == r->conn[A]) pump_send(n, r);
      break;
    case WTCP_EV_READABLE:
    case WTCP_EV_PEER_FIN:
      if (node == B && ev->conn == r->conn[B] && r->goal > 0) pump_recv(n, r);
      break;
    case WTCP_EV_STATE:
      if (node == A && ev->conn == r->conn[A] && (ev->arg & 0xff) == WTCP_TIME_WAIT) r->tw_at = n->now;
      break;
    case WTCP_EV_CLOSED:
      if (ev->conn == r->conn[node]) {
        r->closed[node] = 1;
        r->err[node] = ev->arg;
        r->closed_at[node] = n->now;
      }
      break;
    default:
      break;
  }
}

/** Records A's transmissions of the watched sequence number, B's RSTs and A's SYNs. */
static int on_packet(net *n, int from, const net_pkt *p) {
  run *r = n->ctx;
  if (from == A && (p->flags & NET_SYN)) r->syn_from_a++;
  if (from == B && (p->flags & NET_RST)) r->rst_from_b++;
  if (from == A && r->watching && p->payload > 0) {
    if (r->ntx == 0) r->watch_seq = p->seq;
    if (p->seq != r->watch_seq) fail(r, "a segment other than the unacknowledged one was sent");
    else if (r->ntx < MAX_TX) r->tx_at[r->ntx++] = n->now;
  }
  return 1;
}

static int both_closed(net *n) { run *r = n->ctx; return r->closed[A] && r->closed[B]; }
static int a_closed(net *n) { run *r = n->ctx; return r->closed[A]; }
static int hello_acked(net *n) {
  run *r = n->ctx;
  return r->why[0] || (r->recvd == r->goal && r->conn[A] >= 0 && wtcp_buffered_send(n->engine[A], r->conn[A]) == 0);
}

/** Whether A's connection reached CLOSED; fails the case when it did with another error than -`err`. */
static int a_closed_with(run *r, int err, const char *name) {
  if (!r->closed[A]) return 0;
  if (r->err[A] != -err) {
    char m[64];
    snprintf(m, sizeof m, "closed with %d, not -%s", r->err[A], name);
    fail(r, m);
  }
  return 1;
}

/** Connects A to B and moves `bytes` of the pattern (acknowledged) without closing. */
static int connect_and_send(net *n, run *r, uint32_t bytes) {
  r->goal = bytes;
  r->conn[A] = wtcp_connect(n->engine[A], B_ADDR, PORT, 0, n->now);
  if (r->conn[A] < 0) { fail(r, "connect failed"); return -1; }
  r->shut = 1; /* keep the connection open after the bytes */
  if (!net_run(n, hello_acked, n->now + 10000)) { fail(r, "handshake and first bytes did not complete"); return -1; }
  return 0;
}

/** Handshake → 1 MiB verified by CRC-32 → orderly close both ways → TIME_WAIT for 2·MSL → CLOSED. */
static void case_transfer(net *n, run *r, char *out, size_t cap) {
  uint32_t expect = 0;
  char t1[24], t2[24];
  if (crc32_update(0, "123456789", 9) != 0xCBF43926u) { fail(r, "crc32 self-test failed"); return; }
  for (uint32_t at = 0; at < TRANSFER_BYTES; at += sizeof g_buf) {
    size_t k = TRANSFER_BYTES - at < sizeof g_buf ? TRANSFER_BYTES - at : sizeof g_buf;
    fill(g_buf, at, k);
    expect = crc32_update(expect, g_buf, k);
  }
  r->goal = TRANSFER_BYTES;
  n->batched = 1; /* the data moves as record batches; the other cases move packets one by one */
  r->conn[A] = wtcp_connect(n->engine[A], B_ADDR, PORT, 0, n->now);
  if (r->conn[A] < 0) { fail(r, "connect failed"); return; }
  double tw_ms = wtcp_config_get(n->engine[A], WTCP_CFG_TIME_WAIT_MS);
  net_run(n, both_closed, 3600e3);
  double data_done = r->closed_at[B];
  if (!r->connected) fail(r, "no WTCP_EV_CONNECTED");
  if (r->conn[B] < 0) fail(r, "nothing accepted");
  if (r->recvd != TRANSFER_BYTES) {
    char m[96];
    snprintf(m, sizeof m, "received %lu of %lu bytes", (unsigned long)r->recvd, (unsigned long)TRANSFER_BYTES);
    fail(r, m);
  }
  if (r->crc_tx != expect || r->crc_rx != expect) fail(r, "CRC-32 mismatch");
  if (!r->eof) fail(r, "no end of stream at B");
  if (!r->closed[A] || !r->closed[B]) fail(r, "not both CLOSED");
  if (r->err[A] != 0 || r->err[B] != 0) fail(r, "closed with an error");
  if (r->tw_at <= 0) fail(r, "A never entered TIME_WAIT");
  double tw = r->closed_at[A] - r->tw_at;
  if (r->tw_at > 0 && (tw < tw_ms || tw > tw_ms + 1)) fail(r, "TIME_WAIT did not last 2*MSL");
  if (n->bad_checksums) fail(r, "bad checksums on the wire");
  if (r->closed[A] && wtcp_state(n->engine[A], r->conn[A]) != WTCP_CLOSED) fail(r, "A not CLOSED after its event");
  uint32_t rtx = wtcp_stat(n->engine[A], WTCP_STAT_RETRANSMITS);
  if (r->conn[A] >= 0) wtcp_release(n->engine[A], r->conn[A], n->now);
  if (r->conn[B] >= 0) wtcp_release(n->engine[B], r->conn[B], n->now);
  snprintf(out, cap, "1 MiB crc32 %08lx, closed both ways at %s ms, %lu packets (%lu dropped by the full link queue, "
           "%lu retransmitted, batches of up to %lu), TIME_WAIT %s ms", (unsigned long)expect,
           ms(t1, sizeof t1, data_done), (unsigned long)n->packets, (unsigned long)n->dropped, (unsigned long)rtx,
           (unsigned long)n->largest_batch, ms(t2, sizeof t2, tw));
}

/** Peer crash: A's unacknowledged segment is retransmitted with the RTO doubling (capped at rtoMaxMs) until
 *  dataRetries run out and the connection fails with ETIMEDOUT (RFC 6298 §5.5, RFC 9293 §3.8.3). */
static void case_crash(net *n, run *r, char *out, size_t cap) {
  char t1[24], t2[24], t3[24];
  if (connect_and_send(n, r, 100) != 0) return;
  int retries = (int)wtcp_config_get(n->engine[A], WTCP_CFG_DATA_RETRIES);
  double rto_min = wtcp_config_get(n->engine[A], WTCP_CFG_RTO_MIN_MS);
  double rto_max = wtcp_config_get(n->engine[A], WTCP_CFG_RTO_MAX_MS);
  crash(n, B);
  double start = n->now;
  r->watching = 1;
  fill(g_buf, 0, 1000);
  if (wtcp_send(n->engine[A], r->conn[A], g_buf, 1000, n->now) != 1000) { fail(r, "send failed"); return; }
  net_run(n, a_closed, n->now + 24 * 3600e3);
  if (!a_closed_with(r, WTCP_ETIMEDOUT, "ETIMEDOUT")) { fail(r, "A never gave up"); return; }
  if (r->ntx != retries + 1) {
    char m[96];
    snprintf(m, sizeof m, "%d transmissions, want 1 + %d retransmissions", r->ntx, retries);
    fail(r, m);
  }
  double prev = 0;
  for (int k = 1; k < r->ntx; k++) {
    double iv = r->tx_at[k] - r->tx_at[k - 1];
    if (k == 1 ? iv < rto_min : fabs(iv - fmin(2 * prev, rto_max)) > 1e-6) {
      char m[128], a[24], b[24];
      snprintf(m, sizeof m, "retransmission %d %s ms after the previous one (%s ms before): not doubling", k,
               ms(a, sizeof a, iv), ms(b, sizeof b, prev));
      fail(r, m);
      break;
    }
    prev = iv;
  }
  double last_gap = r->ntx > 0 ? r->closed_at[A] - r->tx_at[r->ntx - 1] : 0;
  if (r->ntx > 1 && fabs(last_gap - fmin(2 * prev, rto_max)) > 1e-6) fail(r, "ETIMEDOUT not one doubled RTO after the last retransmission");
  double first = r->ntx > 1 ? r->tx_at[1] - r->tx_at[0] : 0;
  snprintf(out, cap, "%d retransmissions, RTO %s ms doubling up to %s ms, ETIMEDOUT after %s s", r->ntx - 1,
           ms(t1, sizeof t1, first), ms(t2, sizeof t2, prev), ms(t3, sizeof t3, (r->closed_at[A] - start) / 1000));
}

/** Crash and reboot: B comes back with no memory of the connection (listening again); A's next segment
 *  draws a RST (RFC 9293 §3.10.7.1) and A's connection fails with ECONNRESET. */
static void case_reboot(net *n, run *r, char *out, size_t cap) {
  char t1[24];
  if (connect_and_send(n, r, 100) != 0) return;
  crash(n, B);
  if (boot(n, B, 3) != 0) return;
  r->listener = wtcp_listen(n->engine[B], PORT, 0);
  r->conn[B] = -1;
  r->rst_from_b = 0;
  double start = n->now;
  fill(g_buf, 0, 100);
  if (wtcp_send(n->engine[A], r->conn[A], g_buf, 100, n->now) != 100) { fail(r, "send failed"); return; }
  net_run(n, a_closed, n->now + 3600e3);
  if (!a_closed_with(r, WTCP_ECONNRESET, "ECONNRESET")) { fail(r, "A's connection survived the reboot"); return; }
  if (r->rst_from_b != 1) fail(r, "the rebooted B did not send exactly one RST");
  long k = wtcp_recv(n->engine[A], r->conn[A], g_buf, sizeof g_buf, n->now);
  if (k != -WTCP_ECONNRESET) fail(r, "recv after the reset does not report ECONNRESET");
  if (r->conn[B] >= 0) fail(r, "the rebooted B accepted a connection");
  snprintf(out, cap, "rebooted peer sent %d RST, ECONNRESET %s ms after the send", r->rst_from_b,
           ms(t1, sizeof t1, r->closed_at[A] - start));
}

/** Closed port: the SYN draws RST+ACK (RFC 9293 §3.10.7.1) and the connect fails with ECONNREFUSED. */
static void case_refused(net *n, run *r, char *out, size_t cap) {
  char t1[24];
  r->conn[A] = wtcp_connect(n->engine[A], B_ADDR, CLOSED_PORT, 0, n->now);
  if (r->conn[A] < 0) { fail(r, "connect failed"); return; }
  double start = n->now;
  net_run(n, a_closed, n->now + 3600e3);
  if (!a_closed_with(r, WTCP_ECONNREFUSED, "ECONNREFUSED")) { fail(r, "connect never failed"); return; }
  if (r->connected) fail(r, "WTCP_EV_CONNECTED for a refused connection");
  if (r->syn_from_a != 1 || r->rst_from_b != 1) fail(r, "not one SYN answered by one RST");
  if (fabs(r->closed_at[A] - start - 2 * DELAY_MS) > 1e-6) fail(r, "refusal took longer than one round trip");
  snprintf(out, cap, "1 SYN, 1 RST, ECONNREFUSED after %s ms", ms(t1, sizeof t1, r->closed_at[A] - start));
}

static int api_established(net *n) {
  run *r = n->ctx;
  return r->why[0] || (r->connected && r->conn[B] >= 0);
}
static int b_closed(net *n) { run *r = n->ctx; return r->closed[B]; }

/** The rest of the C API on one connection: config as the engine holds it, refusals, a listen on port 0,
 *  info and options, a send and a receive larger than the stage area, an oversized packet and a bad
 *  record, and Linux's error reporting after an abort (the error once, then EOF and EPIPE). */
static void case_api(net *n, run *r, char *out, size_t cap) {
  wtcp_engine *a = n->engine[A], *b = n->engine[B];
  char m[128];
  n->batched = 1;
  /* Config: what the engine holds, integers truncated; the MSS is fixed after init; bad values refused. */
  if (wtcp_config_get(a, WTCP_CFG_RTO_MIN_MS) != 200 || !isnan(wtcp_config_get(a, WTCP_CFG_COUNT))) fail(r, "config_get");
  if (wtcp_config_set(a, WTCP_CFG_SYN_RETRIES, 4.9) != 0 || wtcp_config_get(a, WTCP_CFG_SYN_RETRIES) != 4) fail(r, "int knob not truncated");
  if (wtcp_config_set(a, WTCP_CFG_MSS, 1400) != -WTCP_EBUSY || wtcp_config_get(a, WTCP_CFG_MSS) != 1460) fail(r, "MSS not fixed after init");
  if (wtcp_config_set(a, WTCP_CFG_TTL, 0) != -WTCP_EINVAL || wtcp_config_get(a, WTCP_CFG_TTL) != 64) fail(r, "bad TTL taken");
  /* A third engine (in B's memory: an MCU holds two) is refused calls before init and an rx area below
   * mss + 40 at init. */
  crash(n, B);
  wtcp_engine *x = wtcp_create();
  if (!x) { fail(r, "wtcp_create"); return; }
  if (wtcp_connect(x, B_ADDR, PORT, 0, 0) != -WTCP_EINVAL) fail(r, "connect before init");
  if (wtcp_config_set(x, WTCP_CFG_RX_SLOT_SIZE, 1000) != 0 || wtcp_init(x, A_ADDR, 9) != -WTCP_EINVAL) fail(r, "rx area below mss + 40 taken");
  wtcp_destroy(x);
  if (boot(n, B, 2) != 0) return;
  b = n->engine[B];

  /* An inbound packet larger than the rx area is refused and counted. */
  size_t big = (size_t)wtcp_config_get(b, WTCP_CFG_RX_SLOT_SIZE) + 1;
  size_t want = WTCP_STAGE_SIZE + 1024; /* a send and a receive past the stage area */
  uint8_t *buf = calloc(1, big > want ? big : want);
  if (!buf) { fail(r, "out of memory"); return; }
  uint32_t bad = wtcp_stat(b, WTCP_STAT_BAD_PACKETS);
  if (wtcp_input(b, buf, big, n->now) != -WTCP_EMSGSIZE || wtcp_stat(b, WTCP_STAT_BAD_PACKETS) != bad + 1) fail(r, "oversized packet");
  /* A record in the rx area that claims more bytes than there are. */
  size_t rx_size;
  uint8_t *rx = wtcp_rx_area(b, &rx_size);
  uint32_t claim = (uint32_t)rx_size;
  memcpy(rx, &claim, sizeof claim);
  memset(rx + 4, 0, 4);
  if (wtcp_input_area(b, WTCP_RECORD_HEADER, n->now) != 0 || wtcp_stat(b, WTCP_STAT_BAD_PACKETS) != bad + 2) fail(r, "bad record");

  /* Listen on port 0: a free ephemeral port (the one on PORT stays). */
  r->listener = wtcp_listen(b, 0, 0);
  uint16_t port = wtcp_listen_port(b);
  if (r->listener < 0 || port < wtcp_config_get(b, WTCP_CFG_EPHEMERAL_LOW) || port > wtcp_config_get(b, WTCP_CFG_EPHEMERAL_HIGH)) {
    fail(r, "listen on port 0");
  }
  r->conn[A] = wtcp_connect(a, B_ADDR, port, 40000, n->now);
  if (r->conn[A] < 0 || !net_run(n, api_established, n->now + 10000)) { fail(r, "no connection"); free(buf); return; }
  int ca = r->conn[A], cb = r->conn[B];

  /* Info and options. */
  wtcp_info info;
  if (wtcp_info_get(a, ca, &info) != 0 || info.state != WTCP_ESTABLISHED || info.local_port != 40000 || info.remote_port != port ||
      info.mss != 1448 || !((uint32_t)info.flags & WTCP_F_TS)) fail(r, "info");
  if (wtcp_info_get(a, 999, &info) != -WTCP_EBADF) fail(r, "info of a bad handle");
  if (wtcp_set_option(a, ca, WTCP_OPT_NO_DELAY, 1, n->now) != 0 || wtcp_get_option(a, ca, WTCP_OPT_NO_DELAY) != 1) fail(r, "TCP_NODELAY");
  if (wtcp_get_option(a, ca, WTCP_OPT_MAX_SEG) != 1448) fail(r, "TCP_MAXSEG");
  int mask = wtcp_poll_mask(a, ca);
  if (!(mask & WTCP_POLLOUT) || (mask & WTCP_POLLIN) || wtcp_so_error(a, ca) != 0) fail(r, "poll mask / SO_ERROR");
  if (wtcp_connections_in_use(a) != 1 || wtcp_connections_in_use(b) != 1) fail(r, "connections in use");

  /* More than the stage area at once: straight into the send ring and out of the receive ring. */
  for (size_t i = 0; i < want; i++) buf[i] = pattern((uint32_t)i);
  long sent = wtcp_send(a, ca, buf, want, n->now);
  size_t room = (size_t)wtcp_config_get(a, WTCP_CFG_SEND_BUFFER_SIZE);
  if (sent != (long)(want < room ? want : room)) { snprintf(m, sizeof m, "send of %lu bytes queued %ld", (unsigned long)want, sent); fail(r, m); }
  memset(buf, 0, want);
  long got = 0;
  for (int round = 0; round < 10 && got < sent; round++) {
    net_run(n, b_closed, n->now + 1000); /* until quiet: what the receive window let through arrived */
    long k = wtcp_recv(b, cb, buf + got, want - (size_t)got, n->now); /* reading reopens the window */
    if (k <= 0) break;
    got += k;
  }
  int same = got == sent;
  for (long i = 0; same && i < got; i++) same = buf[i] == pattern((uint32_t)i);
  if (!same) { snprintf(m, sizeof m, "recv of the %ld bytes returned %ld, or other bytes", sent, got); fail(r, m); }
  if (wtcp_recv(b, cb, buf, want, n->now) != -WTCP_EAGAIN) fail(r, "recv of nothing is not EAGAIN");

  /* Abort: the peer sees ECONNRESET once, then end of stream; a send then fails with EPIPE. */
  if (wtcp_abort(a, ca, n->now) != 0) fail(r, "abort");
  net_run(n, b_closed, n->now + 1000);
  if (!r->closed[B] || r->err[B] != -WTCP_ECONNRESET) fail(r, "the peer did not die of ECONNRESET");
  long k1 = wtcp_recv(b, cb, buf, 100, n->now), k2 = wtcp_recv(b, cb, buf, 100, n->now), k3 = wtcp_send(b, cb, buf, 1, n->now);
  if (k1 != -WTCP_ECONNRESET || k2 != 0 || k3 != -WTCP_EPIPE) {
    snprintf(m, sizeof m, "after the reset: recv %ld, recv %ld, send %ld", k1, k2, k3);
    fail(r, m);
  }
  wtcp_release(a, ca, n->now);
  wtcp_release(b, cb, n->now);
  if (wtcp_connections_in_use(a) != 0 || wtcp_connections_in_use(b) != 0 || wtcp_state(b, cb) != WTCP_CLOSED) fail(r, "slots not freed");
  free(buf);
  snprintf(out, cap, "listen port %u, %ld bytes each way in calls larger than the stage area, RST -> ECONNRESET, EOF, EPIPE",
           port, sent);
}

typedef void (*case_fn)(net *n, run *r, char *out, size_t cap);

static const struct { const char *name; case_fn fn; } CASES[] = {
  { "transfer", case_transfer },
  { "peer-crash", case_crash },
  { "crash-reboot", case_reboot },
  { "closed-port", case_refused },
  { "api", case_api },
};

int cases_run(const char *name, int *passed, int *failed) {
  const profile *prof = NULL;
  for (size_t i = 0; i < sizeof PROFILES / sizeof PROFILES[0]; i++)
    if (strcmp(PROFILES[i].name, name) == 0) prof = &PROFILES[i];
  if (!prof) return -1;
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    char detail[200] = "";
    char line[400];
    net *n = &g_net;
    run *r = &g_run;
    if (setup(prof) == 0) {
      n->on_event = on_event;
      n->on_packet = on_packet;
      CASES[i].fn(n, r, detail, sizeof detail);
    }
    if (!r->why[0] && n->bad_checksums) fail(r, "bad checksums on the wire");
    if (!r->why[0] && (n->malformed || n->refused)) fail(r, "malformed packets or batches on the wire");
    int ok = r->why[0] == 0;
    snprintf(line, sizeof line, "%s [%s] %s: %s", ok ? "PASS" : "FAIL", prof->name, CASES[i].name, ok ? detail : r->why);
    port_print(line);
    if (ok) (*passed)++; else (*failed)++;
    teardown();
  }
  return 0;
}
