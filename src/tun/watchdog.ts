// The watchdog: a detached shell that owns the TUN/TAP device and socat, and removes both when the pipe
// from Node closes (normal exit, crash or SIGKILL alike).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

// $1 is the device, $2 its kind (tun or tap), the rest socat's argv. The device is persistent (`ip tuntap add`), so it outlives
// socat, which exits on any write error (e.g. EIO while the device is down): the loop restarts socat
// and Node learns its new UDP port from the log. fd 3 keeps the pipe from Node; the reader subshell
// sees EOF when Node closes it or dies, and TERMs this shell, which stops socat and deletes the
// device. INT/HUP are ignored so a Ctrl-C on the terminal cannot kill the watchdog before Node has
// finished closing connections.
const SCRIPT = `
dev=$1; kind=$2; shift 2
trap '' INT HUP PIPE
stop=0; sp=
trap 'stop=1; [ -n "$sp" ] && kill -TERM "$sp" 2>/dev/null' TERM
ip tuntap add dev "$dev" mode "$kind" || { echo "tuntap-failed"; exit 3; }
exec 3<&0
( while read -r _ <&3; do :; done; kill -TERM $$ ) </dev/null &
rp=$!
exec 3<&-
while [ "$stop" = 0 ]; do
  "$@" </dev/null &
  sp=$!
  [ "$stop" = 1 ] && kill -TERM "$sp" 2>/dev/null
  code=0
  while kill -0 "$sp" 2>/dev/null; do wait "$sp"; code=$?; done
  sp=
  [ "$stop" = 1 ] && break
  echo "socat-exit $code"
  sleep 0.05
done
kill "$rp" 2>/dev/null
ip link del dev "$dev" 2>/dev/null
echo "exit"
`;

/** A running watchdog: write nothing to `stdin`; end it to tear everything down. */
export type Watchdog = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * Creates the persistent TUN or TAP device `dev` and keeps socat (`socatArgs`) running on it under a detached
 * watchdog shell. socat's log arrives on the watchdog's stderr; its stdout says `socat-exit CODE` after
 * each socat death (it is restarted) and `exit` at the very end.
 */
export function spawnWatchdog(dev: string, kind: 'tun' | 'tap', socatArgs: string[]): Watchdog {
  return spawn('/bin/sh', ['-c', SCRIPT, 'wasm-tcp-watchdog', dev, kind, 'socat', ...socatArgs], {
    detached: true, // own session: terminal signals and process-group kills of the CLI do not reach it
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
