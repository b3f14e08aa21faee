/* wasm-tcp for C hosts: the engine (build/engine.portable.wasm, converted by wasm2c) behind a small API.
 *
 * The engine never reads a clock and does no I/O. The host's duties (docs/porting.md):
 *   time     pass `now` (milliseconds, any origin, never decreasing) to every call that takes it, and
 *            call wtcp_poll(now) again by wtcp_next_deadline (or the deadline wtcp_poll returned);
 *   packets  hand inbound IPv4 packets to wtcp_input (one) or wtcp_input_records (a batch), and send
 *            what wtcp_drain / wtcp_drain_records hand out after every call that may have produced output;
 *   events   read wtcp_next_event after those calls and act on them (accept, read, write, release).
 * Results are >= 0 or a negative Linux errno (WTCP_E* in wasm_tcp_abi.h). One engine is one wasm2c
 * instance with its own linear memory; engines are independent, but not thread-safe. Packets, events
 * and fill levels cross through that memory (docs/engine-abi.md, ABI 5): reading an event, draining the
 * tx area or reading the next deadline is no call into the engine. Only wasm_tcp.c knows the engine's
 * exports and the names wasm2c gave them. */
#ifndef WASM_TCP_H
#define WASM_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "wasm_tcp_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One engine instance (opaque). */
typedef struct wtcp_engine wtcp_engine;

/** One event: `kind` is a WTCP_EV_*, `conn` a connection (or listener) handle, `arg` depends on the kind
 *  (WTCP_EV_ACCEPT: the queued connection; WTCP_EV_CLOSED: 0 or -errno; WTCP_EV_STATE: from << 8 | to;
 *  WTCP_EV_SOFT_ERROR: -errno). */
typedef struct wtcp_event {
  int kind;
  int conn;
  int arg;
} wtcp_event;

/** Receives one outbound IPv4 packet; `packet` is valid only during the call. */
typedef void (*wtcp_output_fn)(void *ctx, const uint8_t *packet, size_t len);
/** Receives a batch of outbound packet records (`count` packets in `bytes` bytes, format below); valid
 *  only during the call. A batch is a valid input of wtcp_input_records, e.g. of another engine. */
typedef void (*wtcp_records_fn)(void *ctx, const uint8_t *records, size_t bytes, int count);

/** Supplied by the host: the engine trapped (a bug in the engine, never bad input or a full table). Must
 *  not return (exit, reset the device, or longjmp out). */
void wtcp_on_trap(const char *reason);

/* Life cycle: create, set sizes and knobs, init; destroy frees everything (the instance and its memory). */

/** A new engine with the default config, or NULL when out of memory. */
wtcp_engine *wtcp_create(void);
/** Sets config `key` (WTCP_CFG_*): the fixed ones (sizes, MSS) before wtcp_init, timing and behaviour
 *  knobs any time. 0, -WTCP_EINVAL (unknown key, out of range), -WTCP_EBUSY (a fixed knob after init). */
int wtcp_config_set(wtcp_engine *e, int key, double value);
/** The value of config `key` the engine holds (integers truncated, booleans as 0/1); NAN for a bad key. */
double wtcp_config_get(const wtcp_engine *e, int key);
/** Lays out all memory and keys the ISN hash (RFC 6528) with `seed`; `addr` is our IPv4 address
 *  (a<<24 | b<<16 | c<<8 | d). 0, -WTCP_EINVAL (contradicting knobs, e.g. an rx area smaller than
 *  mss + 40), -WTCP_EALREADY or -WTCP_ENOBUFS. */
int wtcp_init(wtcp_engine *e, uint32_t addr, uint64_t seed);
/** Frees the engine. */
void wtcp_destroy(wtcp_engine *e);

/** Bytes of the engine's linear memory (static data plus every table, ring and queue); fixed after init. */
size_t wtcp_memory_size(const wtcp_engine *e);
/** Bytes init laid out for tables, rings and queues. */
size_t wtcp_memory_laid_out(const wtcp_engine *e);
/** Bytes of engine state per connection, buffers excluded. */
int wtcp_conn_state_bytes(const wtcp_engine *e);

/* Packets. A packet record, the same in the rx and tx areas: [u32 length][u32 meta][packet][pad to 4],
 * little-endian words; meta 0 (interface 0). */

/** Processes one inbound IPv4 packet (copied into the rx area; the engine validates everything). 0, or
 *  -WTCP_EMSGSIZE when it is larger than config rxSlotSize (dropped and counted in WTCP_STAT_BAD_PACKETS). */
int wtcp_input(wtcp_engine *e, const uint8_t *packet, size_t len, double now);
/** Processes `bytes` of packet records (another engine's tx batch, or records a driver assembled),
 *  copied into the rx area as many at a time as fit; returns the packets taken. A record that overruns
 *  the batch or does not fit the rx area is counted as bad and ends the batch. */
int wtcp_input_records(wtcp_engine *e, const uint8_t *records, size_t bytes, double now);
/** The rx area, for a driver that writes records in place (no copy): its address and size in `*size`. */
uint8_t *wtcp_rx_area(wtcp_engine *e, size_t *size);
/** Processes the `bytes` of records the host wrote to the rx area (wtcp_rx_area); the packets taken. */
int wtcp_input_area(wtcp_engine *e, size_t bytes, double now);
/** Hands every queued outbound packet to `fn`, oldest first, and empties the tx area; the count. `fn` may
 *  make the engine queue more (a loopback): those follow in the same call. */
int wtcp_drain(wtcp_engine *e, wtcp_output_fn fn, void *ctx);
/** The same, one batch of records at a time (one call of `fn` for everything queued). */
int wtcp_drain_records(wtcp_engine *e, wtcp_records_fn fn, void *ctx);
/** Packets waiting in the tx area. */
int wtcp_tx_pending(const wtcp_engine *e);

/* Time and events. */

/** Fires due timers (each connection once) and resumes output held by a full tx area; returns the next
 *  deadline (INFINITY when none). A result equal to `now` means output waits for tx room: drain, poll again. */
double wtcp_poll(wtcp_engine *e, double now);
/** The engine's earliest deadline without a call: never later than the true one, INFINITY when none, at
 *  most the last `now` while output waits for tx room. Poll once it is <= now. */
double wtcp_next_deadline(const wtcp_engine *e);
/** Takes the next event from the ring into `ev` (no call into the engine): 1, or 0 when none waits. */
int wtcp_next_event(wtcp_engine *e, wtcp_event *ev);
/** Events waiting in the ring. */
int wtcp_events_pending(const wtcp_engine *e);

/* Sockets. Handles are small integers: connections 0 <= conn < maxConnections, listeners 0 <= l < maxListeners. */

/** Listens on `port` (0: a free one from the ephemeral range, see wtcp_listen_port; backlog 0 = config
 *  backlog); the listener handle or -errno (EADDRINUSE, EMFILE, EINVAL). */
int wtcp_listen(wtcp_engine *e, uint16_t port, int backlog);
/** The port of the last successful wtcp_listen (how a listen on port 0 learns its port). */
uint16_t wtcp_listen_port(const wtcp_engine *e);
/** Stops listening; embryonic and unaccepted connections are reset. */
void wtcp_unlisten(wtcp_engine *e, int listener, double now);
/** An established connection from the listener's queue (the WTCP_EV_ACCEPT event's arg), or -WTCP_EAGAIN. */
int wtcp_accept(wtcp_engine *e, int listener);
/** Active open to `addr`:`port` from `src_port` (0: an ephemeral one); the connection (SYN_SENT) or -errno
 *  (EMFILE, EADDRINUSE, EADDRNOTAVAIL, ENETUNREACH, EINVAL). */
int wtcp_connect(wtcp_engine *e, uint32_t addr, uint16_t port, uint16_t src_port, double now);
/** Queues up to `len` bytes and sends what the windows allow; bytes queued, -WTCP_EAGAIN when the send
 *  buffer is full (WTCP_EV_WRITABLE follows), or -errno (the error a connection died with once, then
 *  -WTCP_EPIPE). Up to WTCP_STAGE_SIZE bytes are one call into the engine. */
long wtcp_send(wtcp_engine *e, int conn, const void *data, size_t len, double now);
/** Reads up to `len` bytes; bytes read, 0 at end of stream, -WTCP_EAGAIN when nothing is there yet
 *  (WTCP_EV_READABLE follows), or -errno (once, as Linux reports sk_err). */
long wtcp_recv(wtcp_engine *e, int conn, void *into, size_t len, double now);
/** shutdown(2): WTCP_SHUT_WR (FIN after the queued data), WTCP_SHUT_RD or WTCP_SHUT_RDWR. */
int wtcp_shutdown(wtcp_engine *e, int conn, int how, double now);
/** Orderly close (RST instead when unread data remains, RFC 2525 §2.17, or with WTCP_OPT_LINGER0). */
int wtcp_close(wtcp_engine *e, int conn, double now);
/** Abort with RST. */
int wtcp_abort(wtcp_engine *e, int conn, double now);
/** The host is done with the handle: freed now if CLOSED, else closed (if it was not) and freed when it
 *  gets there; no more events for it. */
void wtcp_release(wtcp_engine *e, int conn, double now);
/** Sets connection option `opt` (WTCP_OPT_*: booleans 0/1, times in ms); 0 or -errno. */
int wtcp_set_option(wtcp_engine *e, int conn, int opt, double value, double now);
/** Connection option `opt` (WTCP_OPT_*, the get-only ones included), or -errno. */
double wtcp_get_option(wtcp_engine *e, int conn, int opt);
/** getsockopt(SO_ERROR): the error the connection died with (once), else the ICMP soft error (cleared),
 *  else 0; a positive errno. */
int wtcp_so_error(wtcp_engine *e, int conn);
/** poll(2) readiness as Linux tcp_poll reports it (WTCP_POLL* bits), or -WTCP_EBADF. */
int wtcp_poll_mask(wtcp_engine *e, int conn);

/** State of a connection slot (WTCP_CLOSED for a free one). */
int wtcp_state(wtcp_engine *e, int conn);
/** Name of a state ("ESTABLISHED"), "?" when out of range. */
const char *wtcp_state_name(int state);
/** Fills `info` with a snapshot of the connection's control block; 0 or -WTCP_EBADF. */
int wtcp_info_get(wtcp_engine *e, int conn, wtcp_info *info);
/** Bytes queued and not yet acknowledged (SIOCOUTQ); 0 for a bad handle. */
int wtcp_buffered_send(wtcp_engine *e, int conn);
/** Bytes ready to read (SIOCINQ); 0 for a bad handle. */
int wtcp_readable(wtcp_engine *e, int conn);
/** Connection slots in use. */
int wtcp_connections_in_use(const wtcp_engine *e);
/** Engine-wide counter `index` (WTCP_STAT_*), 0 when out of range. */
uint32_t wtcp_stat(const wtcp_engine *e, int index);

#ifdef __cplusplus
}
#endif

#endif /* WASM_TCP_H */
