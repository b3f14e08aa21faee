/* The engine's cost per segment, for instruction counts (valgrind --tool=callgrind): two engines
 * (A = 10.0.0.1 client, B = 10.0.0.2 server) wired back to back, no netsim, no checks beyond the
 * byte counts. `pingpong pp N`: N round trips of a 1-byte write answered by a 1-byte write (NODELAY,
 * the segment that carries the data also ACKs). `pingpong churn N`: N connections one after another:
 * connect, 1 byte, close from A (the server closes on end of stream), through TIME_WAIT.
 * Ir per round trip or connection: run with two N and divide the difference (bench/RESULTS.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_tcp.h"

#define A_ADDR 0x0A000001u
#define B_ADDR 0x0A000002u
#define PORT 80

static wtcp_engine *g_e[2];
static double g_now;
static int g_listener, g_conn[2] = { -1, -1 }, g_closed[2];
static long g_got[2];
static int g_echo; /* B answers every byte it reads */
static uint8_t g_buf[64];

void wtcp_on_trap(const char *reason) {
  fprintf(stderr, "engine trap: %s\n", reason);
  exit(1);
}

static void deliver(void *ctx, const uint8_t *records, size_t bytes, int count) {
  (void)count;
  wtcp_input_records(g_e[(int)(size_t)ctx], records, bytes, g_now);
}

static void read_all(int node) {
  for (;;) {
    long k = wtcp_recv(g_e[node], g_conn[node], g_buf, sizeof g_buf, g_now);
    if (k < 0) return;
    if (k == 0) {
      if (node == 1) wtcp_close(g_e[1], g_conn[1], g_now);
      return;
    }
    g_got[node] += k;
    if (node == 1 && g_echo) wtcp_send(g_e[1], g_conn[1], g_buf, (size_t)k, g_now);
  }
}

static void events(int node) {
  wtcp_event ev;
  while (wtcp_next_event(g_e[node], &ev)) {
    switch (ev.kind) {
      case WTCP_EV_ACCEPT:
        if (node == 1) {
          g_conn[1] = wtcp_accept(g_e[1], g_listener);
          wtcp_set_option(g_e[1], g_conn[1], WTCP_OPT_NO_DELAY, 1, g_now);
        }
        break;
      case WTCP_EV_READABLE:
      case WTCP_EV_PEER_FIN:
        if (ev.conn == g_conn[node]) read_all(node);
        break;
      case WTCP_EV_CLOSED:
        if (ev.conn == g_conn[node]) g_closed[node] = 1;
        wtcp_release(g_e[node], ev.conn, g_now);
        break;
      default:
        break;
    }
  }
}

/** Moves packets and events until both engines are quiet; returns 1 when something moved. */
static int pump(void) {
  int moved = 0;
  for (;;) {
    int any = 0;
    for (int n = 0; n < 2; n++) {
      events(n);
      if (wtcp_tx_pending(g_e[n])) {
        wtcp_drain_records(g_e[n], deliver, (void *)(size_t)(1 - n));
        any = 1;
      }
      if (wtcp_events_pending(g_e[n])) any = 1;
    }
    if (!any) return moved;
    moved = 1;
  }
}

/** Advances the virtual clock to the next deadline of either engine (at most `limit`). */
static void advance(double limit) {
  double t = limit;
  for (int n = 0; n < 2; n++) {
    double d = wtcp_next_deadline(g_e[n]);
    if (d >= 0 && d < t) t = d;
  }
  if (t > g_now) g_now = t;
  for (int n = 0; n < 2; n++) wtcp_poll(g_e[n], g_now);
}

static wtcp_engine *boot(uint32_t addr, uint64_t seed) {
  wtcp_engine *e = wtcp_create();
  if (!e) { fprintf(stderr, "wtcp_create: out of memory\n"); exit(1); }
  wtcp_config_set(e, WTCP_CFG_MAX_CONNECTIONS, 4);
  wtcp_config_set(e, WTCP_CFG_MAX_LISTENERS, 1);
  wtcp_config_set(e, WTCP_CFG_SEND_BUFFER_SIZE, 4096);
  wtcp_config_set(e, WTCP_CFG_RECV_BUFFER_SIZE, 4096);
  if (wtcp_init(e, addr, seed) != 0) { fprintf(stderr, "wtcp_init failed\n"); exit(1); }
  return e;
}

static int connect_a(void) {
  g_conn[1] = -1;
  g_closed[0] = g_closed[1] = 0;
  g_conn[0] = wtcp_connect(g_e[0], B_ADDR, PORT, 0, g_now);
  if (g_conn[0] < 0) { fprintf(stderr, "connect failed: %d\n", g_conn[0]); exit(1); }
  return g_conn[0];
}

static void pingpong(long rounds) {
  g_echo = 1;
  connect_a();
  wtcp_set_option(g_e[0], g_conn[0], WTCP_OPT_NO_DELAY, 1, g_now);
  pump();
  if (wtcp_state(g_e[0], g_conn[0]) != WTCP_ESTABLISHED || g_conn[1] < 0) { fprintf(stderr, "no connection\n"); exit(1); }
  const uint8_t one = 7;
  for (long i = 0; i < rounds; i++) {
    long before = g_got[0];
    wtcp_send(g_e[0], g_conn[0], &one, 1, g_now);
    pump();
    if (g_got[0] != before + 1) { fprintf(stderr, "round %ld: no answer\n", i); exit(1); }
    g_now += 0.001; /* 1 µs a round trip: the clock moves, no timer expires */
  }
}

static void churn(long total) {
  const uint8_t one = 1;
  for (long i = 0; i < total; i++) {
    connect_a();
    pump();
    long before = g_got[1];
    wtcp_send(g_e[0], g_conn[0], &one, 1, g_now);
    wtcp_close(g_e[0], g_conn[0], g_now);
    pump();
    if (g_got[1] != before + 1 || !g_closed[1]) { fprintf(stderr, "connection %ld did not complete\n", i); exit(1); }
    while (!g_closed[0]) { advance(g_now + 1e6); pump(); } /* A's TIME_WAIT */
  }
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "pp") && strcmp(argv[1], "churn"))) {
    fprintf(stderr, "usage: pingpong pp|churn N\n");
    return 2;
  }
  long n = strtol(argv[2], NULL, 10);
  g_e[0] = boot(A_ADDR, 1);
  g_e[1] = boot(B_ADDR, 2);
  g_listener = wtcp_listen(g_e[1], PORT, 16);
  if (g_listener < 0) { fprintf(stderr, "listen failed\n"); return 1; }
  if (!strcmp(argv[1], "pp")) pingpong(n); else churn(n);
  printf("%s %ld: A got %ld, B got %ld bytes\n", argv[1], n, g_got[0], g_got[1]);
  wtcp_destroy(g_e[0]);
  wtcp_destroy(g_e[1]);
  return 0;
}
