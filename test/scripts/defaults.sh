#!/bin/sh
# Linux settings the scripts in this directory assume (run by packetdrill as the init command).
# wasm-tcp's runner never executes this file: it loads its `linux` profile instead.
set -e
sysctl -q -w \
  net.ipv4.tcp_rmem="4096 540000 15728640" \
  net.ipv4.tcp_wmem="4096 262144 4194304" \
  net.ipv4.tcp_timestamps=1 \
  net.ipv4.tcp_sack=1 \
  net.ipv4.tcp_dsack=0 \
  net.ipv4.tcp_window_scaling=1 \
  net.ipv4.tcp_syn_retries=5 \
  net.ipv4.tcp_synack_retries=5 \
  net.ipv4.tcp_retries2=15 \
  net.ipv4.tcp_fin_timeout=60 \
  net.ipv4.tcp_slow_start_after_idle=0 \
  net.ipv4.tcp_ecn=0 \
  net.ipv4.tcp_early_retrans=0 \
  net.ipv4.tcp_recovery=0 \
  net.ipv4.tcp_frto=0 \
  net.ipv4.tcp_congestion_control=reno \
  net.ipv4.tcp_syncookies=1 \
  net.ipv4.tcp_moderate_rcvbuf=0
# Linux 6.x retransmits SYNs with linear timeouts first; keep the classic exponential backoff.
sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true
tc qdisc replace dev tun0 root pfifo 2>/dev/null || true
