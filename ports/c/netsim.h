/* A two-node virtual network for the C test program: each node is one engine (or none while it is
 * down), packets between them take `delay` ms on a virtual clock, and every packet is checked
 * (IPv4 and TCP checksums computed here, independently of the engine) and shown to a filter. Packets
 * move one at a time (wtcp_drain, wtcp_input) or as the engines' record batches (wtcp_drain_records,
 * wtcp_input_records: what one drain hands out arrives as one batch). */
#ifndef NETSIM_H
#define NETSIM_H

#include <stddef.h>
#include <stdint.h>

#include "wasm_tcp.h"

#define NET_NODES 2
/** Bytes of packets in flight towards one node (entries of arrival time, length, packet records). */
#ifndef NET_QUEUE_BYTES
#define NET_QUEUE_BYTES 12288 /* 12 KiB: the transfer case keeps at most 2 full-sized packets in flight each way */
#endif

/** What the network saw of one packet. */
typedef struct net_pkt {
  uint32_t src, dst, seq, ack;
  uint16_t sport, dport;
  uint8_t flags; /* TCP flags: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10 */
  uint32_t payload;
} net_pkt;

#define NET_FIN 0x01
#define NET_SYN 0x02
#define NET_RST 0x04
#define NET_ACK 0x10

typedef struct net net;
/** Called for every event of node `node`'s engine. */
typedef void (*net_event_fn)(net *n, int node, const wtcp_event *ev);
/** Called for every packet node `from` sends; returns 0 to drop it. */
typedef int (*net_filter_fn)(net *n, int from, const net_pkt *p);

typedef struct net_queue {
  uint8_t buf[NET_QUEUE_BYTES];
  size_t start, end;
} net_queue;

struct net {
  /** Virtual time in ms. */
  double now;
  /** One-way delay in ms. */
  double delay;
  wtcp_engine *engine[NET_NODES]; /* NULL while the node is down */
  uint32_t addr[NET_NODES];
  /** Move packets as record batches rather than one by one. */
  int batched;
  net_event_fn on_event;
  net_filter_fn on_packet;
  /** The case's own state. */
  void *ctx;
  /** Packets sent, dropped (filter, node down, queue full), with a bad checksum, malformed (or a batch
   *  whose count disagrees with its records), refused by the receiving engine's glue. */
  uint32_t packets, dropped, bad_checksums, malformed, refused;
  /** Most packets delivered in one batch (wtcp_input_records). */
  uint32_t largest_batch;
  net_queue queue[NET_NODES]; /* packets on their way to each node */
};

/** Empties the network (no engines, time 0). */
void net_reset(net *n, double delay, int batched);
/** Runs until `done(n)` is true (returns 1), nothing is left to do, or `limit` ms pass (returns 0). */
int net_run(net *n, int (*done)(net *n), double limit);
/** Parses an IPv4/TCP packet into `p`; returns 0, -1 when malformed, -2 when a checksum is wrong. */
int net_parse(const uint8_t *packet, size_t len, net_pkt *p);

#endif /* NETSIM_H */
