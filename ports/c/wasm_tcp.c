/* The one file that knows the engine's ABI (docs/engine-abi.md, version 3) and the names wasm2c gave its
 * exports (module `wtcp_engine`: `wasm2c engine.portable.wasm -n wtcp_engine -o wtcp_engine.c`).
 * Packets, events and fill levels cross through the engine's linear memory: the control block (slots
 * WTCP_CTL_*), the rx and tx record areas, the event ring and the stage area, all laid out by init.
 * Everything else in a C host goes through wasm_tcp.h. */
#include "wasm_tcp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wasm-rt.h"
#include "wtcp_engine.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wasm_tcp.c reads the engine's little-endian linear memory in place: little-endian hosts only"
#endif

_Static_assert(sizeof(wtcp_info) <= WTCP_INFO_SLOTS * sizeof(double), "wtcp_info is the engine's info slots");

typedef Z_wtcp_engine_instance_t instance_t;
#define EX(name) Z_wtcp_engineZ_##name

struct wtcp_engine {
  instance_t inst;
  wasm_rt_memory_t *mem;
  /** Byte address of the control block (valid from wtcp_create on, filled by init). */
  uint32_t ctl;
  /** The areas init laid out (byte addresses and sizes); linear memory never grows after init. */
  uint32_t rx_base, rx_size, tx_base, tx_size, ev_base, ev_cap, stage_base, stage_size, stats_base, info_base;
  int ready;
  /** What the engine holds for every knob (set values as it keeps them), for wtcp_config_get. */
  double cfg[WTCP_CFG_COUNT];
};

static const double CFG_DEFAULTS[WTCP_CFG_COUNT] = WTCP_CFG_DEFAULTS;
static const char CFG_TYPES[WTCP_CFG_COUNT + 1] = WTCP_CFG_TYPES;

/** Whether [at, at + len) lies inside linear memory. */
static int mem_ok(const wtcp_engine *e, uint32_t at, size_t len) {
  return (uint64_t)at + len <= e->mem->size;
}

static uint8_t *mem_at(const wtcp_engine *e, uint32_t at) { return e->mem->data + at; }

static int32_t rd_i32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static void wr_i32(uint8_t *p, int32_t v) { memcpy(p, &v, sizeof v); }

static int32_t ctl_get(const wtcp_engine *e, int slot) { return rd_i32(mem_at(e, e->ctl + 4u * (uint32_t)slot)); }
static void ctl_set(wtcp_engine *e, int slot, int32_t v) { wr_i32(mem_at(e, e->ctl + 4u * (uint32_t)slot), v); }

/** Bytes of the record of a `len`-byte packet (header, packet, padding). */
static size_t record_size(uint32_t len) {
  return WTCP_RECORD_HEADER + (((size_t)len + WTCP_RECORD_ALIGN - 1) & ~(size_t)(WTCP_RECORD_ALIGN - 1));
}

/* Called by wasm_rt_trap (wasm-rt-impl.c built with -DWASM_RT_TRAP_HANDLER=wtcp_trap_handler). */
void wtcp_trap_handler(wasm_rt_trap_t code);
void wtcp_trap_handler(wasm_rt_trap_t code) { wtcp_on_trap(wasm_rt_strerror(code)); }

wtcp_engine *wtcp_create(void) {
  static int module_ready = 0;
  if (!module_ready) {
    wasm_rt_init();
    Z_wtcp_engine_init_module();
    module_ready = 1;
  }
  wtcp_engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  Z_wtcp_engine_instantiate(&e->inst);
  e->mem = EX(memory)(&e->inst);
  e->ctl = EX(ctlPtr)(&e->inst);
  if (!e->mem->data || EX(engineAbiVersion)(&e->inst) != WTCP_ABI_VERSION || !mem_ok(e, e->ctl, 4u * WTCP_CTL_SLOTS)) {
    Z_wtcp_engine_free(&e->inst);
    free(e);
    return NULL;
  }
  memcpy(e->cfg, CFG_DEFAULTS, sizeof e->cfg);
  /* A knob of a feature this engine was built without (assembly/options.ts) stays off: mirror that. */
  for (int k = 0; k < WTCP_CFG_COUNT; k++) {
    if (CFG_DEFAULTS[k] != 0 && (int32_t)EX(configSet)(&e->inst, (u32)k, CFG_DEFAULTS[k]) == -WTCP_EOPNOTSUPP) e->cfg[k] = 0;
  }
  return e;
}

void wtcp_destroy(wtcp_engine *e) {
  if (!e) return;
  Z_wtcp_engine_free(&e->inst);
  free(e);
}

int wtcp_config_set(wtcp_engine *e, int key, double value) {
  int r = (int32_t)EX(configSet)(&e->inst, (u32)key, value);
  if (r == 0) { /* the key is valid: keep the value as the engine does */
    char type = CFG_TYPES[key];
    e->cfg[key] = type == 'i' ? trunc(value) : type == 'b' ? (value != 0) : value;
  }
  return r;
}

double wtcp_config_get(const wtcp_engine *e, int key) {
  return key >= 0 && key < WTCP_CFG_COUNT ? e->cfg[key] : NAN;
}

int wtcp_init(wtcp_engine *e, uint32_t addr, uint64_t seed) {
  int r = (int32_t)EX(init)(&e->inst, addr, (u32)seed, (u32)(seed >> 32));
  if (r < 0) return r;
  /* The areas never move: init grew memory (if it had to) before it filled these in. */
  e->rx_base = (uint32_t)ctl_get(e, WTCP_CTL_RX_BASE);
  e->rx_size = (uint32_t)ctl_get(e, WTCP_CTL_RX_SIZE);
  e->tx_base = (uint32_t)ctl_get(e, WTCP_CTL_TX_BASE);
  e->tx_size = (uint32_t)ctl_get(e, WTCP_CTL_TX_SIZE);
  e->ev_base = (uint32_t)ctl_get(e, WTCP_CTL_EVENT_BASE);
  e->ev_cap = (uint32_t)ctl_get(e, WTCP_CTL_EVENT_CAP);
  e->stage_base = (uint32_t)ctl_get(e, WTCP_CTL_STAGE_BASE);
  e->stage_size = (uint32_t)ctl_get(e, WTCP_CTL_STAGE_SIZE);
  e->stats_base = (uint32_t)ctl_get(e, WTCP_CTL_STATS_BASE);
  e->info_base = (uint32_t)ctl_get(e, WTCP_CTL_INFO_BASE);
  if (!mem_ok(e, e->rx_base, e->rx_size) || !mem_ok(e, e->tx_base, e->tx_size) ||
      !mem_ok(e, e->ev_base, (size_t)e->ev_cap * WTCP_EVENT_RECORD_BYTES) || !mem_ok(e, e->stage_base, e->stage_size) ||
      !mem_ok(e, e->stats_base, 4u * WTCP_STAT_COUNT) || !mem_ok(e, e->info_base, sizeof(wtcp_info)) ||
      e->rx_size < WTCP_RECORD_HEADER || e->ev_cap == 0) {
    wtcp_on_trap("engine control block out of bounds");
  }
  e->ready = 1;
  return 0;
}

size_t wtcp_memory_size(const wtcp_engine *e) { return (size_t)e->mem->size; }
size_t wtcp_memory_laid_out(const wtcp_engine *e) { return (uint32_t)ctl_get(e, WTCP_CTL_MEMORY_BYTES); }
int wtcp_conn_state_bytes(const wtcp_engine *e) { return ctl_get(e, WTCP_CTL_CONN_STATE_BYTES); }

/* ------------------------------------------------------------------ packets */

int wtcp_input(wtcp_engine *e, const uint8_t *packet, size_t len, double now) {
  if (!e->ready) return -WTCP_EINVAL;
  if (len > e->cfg[WTCP_CFG_RX_SLOT_SIZE] || len > e->rx_size - WTCP_RECORD_HEADER) {
    EX(input)(&e->inst, (u32)-1, now); /* counted as a bad packet */
    return -WTCP_EMSGSIZE;
  }
  uint8_t *rec = mem_at(e, e->rx_base);
  wr_i32(rec, (int32_t)len);
  wr_i32(rec + 4, 0); /* meta: interface 0 */
  memcpy(rec + WTCP_RECORD_HEADER, packet, len);
  /* One record without its padding: the engine reads the length, never the pad. */
  EX(input)(&e->inst, (u32)(WTCP_RECORD_HEADER + len), now);
  return 0;
}

int wtcp_input_records(wtcp_engine *e, const uint8_t *records, size_t bytes, double now) {
  if (!e->ready) return 0;
  size_t start = 0;
  int n = 0;
  while (start < bytes) {
    /* As many whole records as the rx area takes. */
    size_t stop = start;
    while (bytes - stop >= WTCP_RECORD_HEADER) {
      uint32_t len = (uint32_t)rd_i32(records + stop);
      size_t size = record_size(len);
      if (len > bytes - stop - WTCP_RECORD_HEADER || stop + size - start > e->rx_size) break;
      stop = stop + size < bytes ? stop + size : bytes; /* the last record's padding may be cut */
    }
    if (stop == start) { /* a record that overruns the batch or is larger than the rx area */
      EX(input)(&e->inst, (u32)-1, now);
      return n;
    }
    memcpy(mem_at(e, e->rx_base), records + start, stop - start);
    n += (int32_t)EX(input)(&e->inst, (u32)(stop - start), now);
    start = stop;
  }
  return n;
}

uint8_t *wtcp_rx_area(wtcp_engine *e, size_t *size) {
  *size = e->ready ? e->rx_size : 0;
  return e->ready ? mem_at(e, e->rx_base) : NULL;
}

int wtcp_input_area(wtcp_engine *e, size_t bytes, double now) {
  if (!e->ready) return 0;
  return (int32_t)EX(input)(&e->inst, bytes > e->rx_size ? (u32)-1 : (u32)bytes, now);
}

int wtcp_drain_records(wtcp_engine *e, wtcp_records_fn fn, void *ctx) {
  if (!e->ready) return 0;
  int total = 0;
  uint32_t from = 0;
  for (;;) {
    /* `fn` may make this engine queue more (a loopback): it lands past what was handed out. */
    int32_t used = ctl_get(e, WTCP_CTL_TX_USED);
    if (used <= (int32_t)from || (uint32_t)used > e->tx_size) break;
    int count = ctl_get(e, WTCP_CTL_TX_COUNT) - total;
    fn(ctx, mem_at(e, e->tx_base + from), (size_t)used - from, count);
    total += count;
    from = (uint32_t)used;
  }
  ctl_set(e, WTCP_CTL_TX_USED, 0); /* the engine reads its fill level from the control block */
  ctl_set(e, WTCP_CTL_TX_COUNT, 0);
  ctl_set(e, WTCP_CTL_TX_LOCAL, 0);
  return total;
}

typedef struct per_packet { wtcp_output_fn fn; void *ctx; } per_packet;

static void each_packet(void *c, const uint8_t *records, size_t bytes, int count) {
  const per_packet *pp = c;
  size_t off = 0;
  (void)count;
  while (bytes - off >= WTCP_RECORD_HEADER) {
    uint32_t len = (uint32_t)rd_i32(records + off);
    if (len > bytes - off - WTCP_RECORD_HEADER) break;
    pp->fn(pp->ctx, records + off + WTCP_RECORD_HEADER, len);
    off += record_size(len);
    if (off > bytes) break;
  }
}

int wtcp_drain(wtcp_engine *e, wtcp_output_fn fn, void *ctx) {
  per_packet pp = { fn, ctx };
  return wtcp_drain_records(e, each_packet, &pp);
}

int wtcp_tx_pending(const wtcp_engine *e) { return ctl_get(e, WTCP_CTL_TX_COUNT); }

/* ------------------------------------------------------------------ time and events */

double wtcp_poll(wtcp_engine *e, double now) { return e->ready ? EX(poll)(&e->inst, now) : INFINITY; }

double wtcp_next_deadline(const wtcp_engine *e) {
  double d;
  memcpy(&d, mem_at(e, e->ctl + 4u * WTCP_CTL_DEADLINE), sizeof d);
  return e->ready ? d : INFINITY;
}

int wtcp_next_event(wtcp_engine *e, wtcp_event *ev) {
  int32_t count = ctl_get(e, WTCP_CTL_EV_COUNT);
  uint32_t head = (uint32_t)ctl_get(e, WTCP_CTL_EV_HEAD);
  if (!e->ready || count <= 0 || head >= e->ev_cap) return 0;
  const uint8_t *p = mem_at(e, e->ev_base + head * WTCP_EVENT_RECORD_BYTES);
  ev->kind = rd_i32(p);
  ev->conn = rd_i32(p + 4);
  ev->arg = rd_i32(p + 8);
  ctl_set(e, WTCP_CTL_EV_HEAD, head + 1 == e->ev_cap ? 0 : (int32_t)head + 1);
  ctl_set(e, WTCP_CTL_EV_COUNT, count - 1);
  return 1;
}

int wtcp_events_pending(const wtcp_engine *e) { return e->ready ? ctl_get(e, WTCP_CTL_EV_COUNT) : 0; }

/* ------------------------------------------------------------------ sockets */

/* Before init the engine has no tables: calls that take a handle or open one are refused. */
#define NEED_INIT(e, result) do { if (!(e)->ready) return (result); } while (0)

int wtcp_listen(wtcp_engine *e, uint16_t port, int backlog) {
  NEED_INIT(e, -WTCP_EINVAL);
  return (int32_t)EX(tcpListen)(&e->inst, port, (u32)backlog);
}
uint16_t wtcp_listen_port(const wtcp_engine *e) { return (uint16_t)ctl_get(e, WTCP_CTL_LISTEN_PORT); }
void wtcp_unlisten(wtcp_engine *e, int listener, double now) {
  if (e->ready) EX(tcpUnlisten)(&e->inst, (u32)listener, now);
}
int wtcp_accept(wtcp_engine *e, int listener) {
  NEED_INIT(e, -WTCP_EINVAL);
  return (int32_t)EX(tcpAccept)(&e->inst, (u32)listener);
}
int wtcp_connect(wtcp_engine *e, uint32_t addr, uint16_t port, uint16_t src_port, double now) {
  NEED_INIT(e, -WTCP_EINVAL);
  return (int32_t)EX(tcpConnect)(&e->inst, addr, port, src_port, now);
}

long wtcp_send(wtcp_engine *e, int conn, const void *data, size_t len, double now) {
  NEED_INIT(e, -WTCP_EINVAL);
  const uint8_t *src = data;
  if (len == 0) return 0;
  if (len <= e->stage_size) { /* one call: the engine copies from the stage area and sends */
    memcpy(mem_at(e, e->stage_base), src, len);
    return (int32_t)EX(tcpSend)(&e->inst, (u32)conn, (u32)len, now);
  }
  size_t done = 0;
  while (done < len) { /* straight into the send ring, region by region */
    int room = (int32_t)EX(tcpSendReserve)(&e->inst, (u32)conn);
    if (room <= 0) {
      if (done == 0) return room; /* the failed reserve asked for WTCP_EV_WRITABLE */
      break;
    }
    size_t n = len - done < (size_t)room ? len - done : (size_t)room;
    uint32_t at = (uint32_t)ctl_get(e, WTCP_CTL_REGION);
    if (!mem_ok(e, at, n)) wtcp_on_trap("send region out of bounds");
    memcpy(mem_at(e, at), src + done, n);
    done += n;
    /* Flush with the last piece; a piece that fills the region (ring wrap, full buffer) waits. */
    EX(tcpSendCommit)(&e->inst, (u32)conn, (u32)n, done == len || n < (size_t)room, now);
  }
  if (done < len) EX(tcpFlush)(&e->inst, (u32)conn, now);
  return (long)done;
}

long wtcp_recv(wtcp_engine *e, int conn, void *into, size_t len, double now) {
  NEED_INIT(e, -WTCP_EINVAL);
  uint8_t *dst = into;
  if (len == 0) return 0;
  if (len <= e->stage_size) { /* one call: the engine copies into the stage area and consumes */
    int n = (int32_t)EX(tcpRecv)(&e->inst, (u32)conn, (u32)len, now);
    if (n > 0) memcpy(dst, mem_at(e, e->stage_base), (size_t)n);
    return n;
  }
  size_t done = 0;
  while (done < len) {
    int avail = (int32_t)EX(tcpRecvPeek)(&e->inst, (u32)conn);
    if (avail <= 0) return done > 0 ? (long)done : avail;
    size_t n = len - done < (size_t)avail ? len - done : (size_t)avail;
    uint32_t at = (uint32_t)ctl_get(e, WTCP_CTL_REGION);
    if (!mem_ok(e, at, n)) wtcp_on_trap("receive region out of bounds");
    memcpy(dst + done, mem_at(e, at), n);
    done += n;
    if ((int32_t)EX(tcpRecvConsume)(&e->inst, (u32)conn, (u32)n, now) <= 0) break; /* nothing left */
  }
  return (long)done;
}

int wtcp_shutdown(wtcp_engine *e, int conn, int how, double now) {
  NEED_INIT(e, -WTCP_EINVAL);
  return (int32_t)EX(tcpShutdown)(&e->inst, (u32)conn, (u32)how, now);
}
int wtcp_close(wtcp_engine *e, int conn, double now) {
  NEED_INIT(e, -WTCP_EINVAL);
  return (int32_t)EX(tcpClose)(&e->inst, (u32)conn, now);
}
int wtcp_abort(wtcp_engine *e, int conn, double now) {
  NEED_INIT(e, -WTCP_EINVAL);
  return (int32_t)EX(tcpAbort)(&e->inst, (u32)conn, now);
}
void wtcp_release(wtcp_engine *e, int conn, double now) {
  if (e->ready) EX(tcpRelease)(&e->inst, (u32)conn, now);
}
int wtcp_set_option(wtcp_engine *e, int conn, int opt, double value, double now) {
  NEED_INIT(e, -WTCP_EINVAL);
  return (int32_t)EX(tcpSetOption)(&e->inst, (u32)conn, (u32)opt, value, now);
}
double wtcp_get_option(wtcp_engine *e, int conn, int opt) {
  NEED_INIT(e, -WTCP_EINVAL);
  return EX(tcpGetOption)(&e->inst, (u32)conn, (u32)opt);
}
int wtcp_so_error(wtcp_engine *e, int conn) {
  NEED_INIT(e, 0);
  return (int32_t)EX(tcpSoError)(&e->inst, (u32)conn);
}
int wtcp_poll_mask(wtcp_engine *e, int conn) {
  NEED_INIT(e, -WTCP_EBADF);
  return (int32_t)EX(tcpPoll)(&e->inst, (u32)conn);
}

int wtcp_state(wtcp_engine *e, int conn) {
  NEED_INIT(e, WTCP_CLOSED);
  return (int32_t)EX(tcpState)(&e->inst, (u32)conn);
}

int wtcp_info_get(wtcp_engine *e, int conn, wtcp_info *info) {
  NEED_INIT(e, -WTCP_EBADF);
  int r = (int32_t)EX(tcpInfo)(&e->inst, (u32)conn);
  if (r == 0) memcpy(info, mem_at(e, e->info_base), sizeof *info);
  return r;
}

int wtcp_buffered_send(wtcp_engine *e, int conn) {
  double v = wtcp_get_option(e, conn, WTCP_OPT_OUTQ);
  return v > 0 ? (int)v : 0;
}
int wtcp_readable(wtcp_engine *e, int conn) {
  double v = wtcp_get_option(e, conn, WTCP_OPT_INQ);
  return v > 0 ? (int)v : 0;
}
int wtcp_connections_in_use(const wtcp_engine *e) { return ctl_get(e, WTCP_CTL_CONNS_IN_USE); }

const char *wtcp_state_name(int state) {
  static const char *const names[] = WTCP_STATE_NAMES;
  return state >= 0 && state < WTCP_STATE_COUNT ? names[state] : "?";
}

uint32_t wtcp_stat(const wtcp_engine *e, int index) {
  if (!e->ready || index < 0 || index >= WTCP_STAT_COUNT) return 0;
  return (uint32_t)rd_i32(mem_at(e, e->stats_base + 4u * (uint32_t)index));
}
