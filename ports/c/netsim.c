/* Two engines on a virtual clock (see netsim.h). The loop: move packets out of the engines, deliver
 * those whose time has come, hand out events; when nothing is left at this instant, poll the engines
 * whose deadline has come and jump the clock to the earliest deadline or arrival. */
#include "netsim.h"

#include <math.h>
#include <string.h>

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }

/** RFC 1071 one's-complement sum of `len` bytes plus `sum`, folded to 16 bits. */
static uint32_t inet_sum(const uint8_t *p, size_t len, uint32_t sum) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += be16(p + i);
  if (len & 1) sum += (uint32_t)p[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

int net_parse(const uint8_t *b, size_t len, net_pkt *p) {
  if (len < 40 || b[0] >> 4 != 4) return -1;
  size_t ihl = (size_t)(b[0] & 15) * 4;
  size_t total = be16(b + 2);
  if (ihl < 20 || total > len || total < ihl + 20 || b[9] != 6) return -1;
  const uint8_t *t = b + ihl;
  size_t tlen = total - ihl;
  size_t doff = (size_t)(t[12] >> 4) * 4;
  if (doff < 20 || doff > tlen) return -1;
  p->src = be32(b + 12);
  p->dst = be32(b + 16);
  p->sport = (uint16_t)be16(t);
  p->dport = (uint16_t)be16(t + 2);
  p->seq = be32(t + 4);
  p->ack = be32(t + 8);
  p->flags = t[13];
  p->payload = (uint32_t)(tlen - doff);
  if (inet_sum(b, ihl, 0) != 0xffff) return -2;
  /* Pseudo header (RFC 9293 §3.1): source, destination, protocol, TCP length. */
  uint32_t pseudo = (p->src >> 16) + (p->src & 0xffff) + (p->dst >> 16) + (p->dst & 0xffff) + 6 + (uint32_t)tlen;
  if (inet_sum(t, tlen, pseudo) != 0xffff) return -2;
  return 0;
}

void net_reset(net *n, double delay, int batched) {
  memset(n, 0, sizeof *n);
  n->delay = delay;
  n->batched = batched;
}

/* A queue entry: [double arrival][u32 bytes][u32 packets][packet records, `bytes` of them, padded to 8]. */
#define ENTRY_HEAD (sizeof(double) + sizeof(uint32_t) * 2)
#define REC_HEAD WTCP_RECORD_HEADER

static size_t record_size(size_t len) { return REC_HEAD + ((len + 3) & ~(size_t)3); }

/** Room for an open entry of `bytes` of records at the end of `q` (of which `have` are written),
 *  compacting the queue first when needed; NULL when it is full. */
static uint8_t *queue_room(net_queue *q, size_t have, size_t bytes) {
  size_t need = ENTRY_HEAD + ((bytes + 7) & ~(size_t)7);
  if (q->end + need > sizeof q->buf) {
    memmove(q->buf, q->buf + q->start, q->end - q->start + ENTRY_HEAD + have);
    q->end -= q->start;
    q->start = 0;
    if (q->end + need > sizeof q->buf) return NULL;
  }
  return q->buf + q->end;
}

/** Closes the entry at the end of `q`: `count` records of `bytes` arriving at `at`. */
static void queue_commit(net_queue *q, double at, size_t bytes, uint32_t count) {
  uint8_t *r = q->buf + q->end;
  uint32_t b = (uint32_t)bytes;
  memcpy(r, &at, sizeof at);
  memcpy(r + sizeof at, &b, sizeof b);
  memcpy(r + sizeof at + sizeof b, &count, sizeof count);
  q->end += ENTRY_HEAD + ((bytes + 7) & ~(size_t)7);
}

/** Arrival time of the oldest entry in `q`, INFINITY when empty. */
static double queue_head(const net_queue *q) {
  double at;
  if (q->start == q->end) return INFINITY;
  memcpy(&at, q->buf + q->start, sizeof at);
  return at;
}

/** Checks one packet node `from` sent and shows it to the filter; the node it goes to, or -1 (dropped). */
static int route(net *n, int from, const uint8_t *pkt, size_t len) {
  net_pkt p;
  n->packets++;
  int r = net_parse(pkt, len, &p);
  if (r == -1) { n->malformed++; n->dropped++; return -1; }
  if (r == -2) n->bad_checksums++;
  if (n->on_packet && !n->on_packet(n, from, &p)) { n->dropped++; return -1; }
  for (int to = 0; to < NET_NODES; to++) if (n->addr[to] == p.dst && to != from) return to;
  n->dropped++; /* no such address */
  return -1;
}

/** Appends one packet as a record to the open (uncommitted) entry of `q` holding `*bytes` so far. */
static int entry_add(net_queue *q, size_t *bytes, const uint8_t *pkt, size_t len) {
  uint8_t *e = queue_room(q, *bytes, *bytes + record_size(len));
  if (!e) return 0;
  uint8_t *rec = e + ENTRY_HEAD + *bytes;
  uint32_t l = (uint32_t)len, meta = 0;
  memcpy(rec, &l, sizeof l);
  memcpy(rec + 4, &meta, sizeof meta);
  memcpy(rec + REC_HEAD, pkt, len);
  *bytes += record_size(len);
  return 1;
}

typedef struct tx_ctx { net *n; int from; } tx_ctx;

/* One packet at a time: each its own entry. */
static void on_output(void *c, const uint8_t *pkt, size_t len) {
  tx_ctx *tc = c;
  net *n = tc->n;
  int to = route(n, tc->from, pkt, len);
  if (to < 0) return;
  size_t bytes = 0;
  if (!entry_add(&n->queue[to], &bytes, pkt, len)) { n->dropped++; return; }
  queue_commit(&n->queue[to], n->now + n->delay, bytes, 1);
}

/* A record batch: the packets that pass become one entry, delivered as one batch. */
static void on_output_records(void *c, const uint8_t *records, size_t bytes, int count) {
  tx_ctx *tc = c;
  net *n = tc->n;
  size_t kept[NET_NODES] = { 0 };
  uint32_t packets[NET_NODES] = { 0 };
  size_t off = 0;
  int seen = 0;
  while (bytes - off >= REC_HEAD) {
    uint32_t len;
    memcpy(&len, records + off, sizeof len);
    if (len > bytes - off - REC_HEAD) break;
    int to = route(n, tc->from, records + off + REC_HEAD, len);
    /* Only one node besides the sender: every packet that passes goes to the same entry. */
    if (to >= 0) {
      if (entry_add(&n->queue[to], &kept[to], records + off + REC_HEAD, len)) packets[to]++;
      else n->dropped++;
    }
    off += record_size(len);
    seen++;
  }
  if (seen != count) n->malformed++;
  for (int to = 0; to < NET_NODES; to++) {
    if (packets[to]) queue_commit(&n->queue[to], n->now + n->delay, kept[to], packets[to]);
  }
}

/** Drains every engine's tx area and hands out events; returns whether anything happened. */
static int service(net *n) {
  int busy = 0;
  for (int i = 0; i < NET_NODES; i++) {
    wtcp_event ev;
    if (!n->engine[i]) continue;
    tx_ctx tc = { n, i };
    int sent = n->batched ? wtcp_drain_records(n->engine[i], on_output_records, &tc) : wtcp_drain(n->engine[i], on_output, &tc);
    if (sent > 0) busy = 1;
    while (n->engine[i] && wtcp_next_event(n->engine[i], &ev)) {
      busy = 1;
      if (n->on_event) n->on_event(n, i, &ev);
    }
  }
  return busy;
}

/** Delivers the entries due by now; returns whether any arrived. */
static int deliver(net *n) {
  int busy = 0;
  for (int i = 0; i < NET_NODES; i++) {
    net_queue *q = &n->queue[i];
    while (queue_head(q) <= n->now) {
      uint8_t *r = q->buf + q->start;
      uint32_t bytes, count;
      memcpy(&bytes, r + sizeof(double), sizeof bytes);
      memcpy(&count, r + sizeof(double) + sizeof bytes, sizeof count);
      q->start += ENTRY_HEAD + ((bytes + 7) & ~(size_t)7);
      if (q->start == q->end) q->start = q->end = 0;
      busy = 1;
      if (!n->engine[i]) { n->dropped += count; continue; }
      if (n->batched) {
        /* The glue copies as many records into the rx area at a time as fit there (one at a time for
         * an MCU-sized area): every packet of the batch must be taken. */
        int taken = wtcp_input_records(n->engine[i], r + ENTRY_HEAD, bytes, n->now);
        if (taken != (int)count) n->refused += count - (uint32_t)taken;
        if (count > n->largest_batch) n->largest_batch = count;
      } else {
        uint32_t len;
        memcpy(&len, r + ENTRY_HEAD, sizeof len);
        if (wtcp_input(n->engine[i], r + ENTRY_HEAD + REC_HEAD, len, n->now) != 0) n->refused++;
      }
    }
  }
  return busy;
}

int net_run(net *n, int (*done)(net *n), double limit) {
  for (;;) {
    while (service(n) | deliver(n)) {}
    if (done(n)) return 1;
    double next = INFINITY;
    for (int i = 0; i < NET_NODES; i++) {
      if (!n->engine[i]) continue;
      /* The deadline is in memory, never later than the true one: poll only when it has come. */
      double d = wtcp_next_deadline(n->engine[i]);
      if (d <= n->now) d = wtcp_poll(n->engine[i], n->now);
      if (d < next) next = d;
    }
    for (int i = 0; i < NET_NODES; i++) {
      double at = queue_head(&n->queue[i]);
      if (at < next) next = at;
    }
    if (next <= n->now) continue; /* timers fired or output waits for the tx queue: service again */
    if (service(n)) continue;
    if (next == INFINITY || next > limit) return done(n);
    n->now = next;
  }
}
