// The watchdog: a detached shell that owns socat and stops it when the pipe from Node closes.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

// $@ is socat's argv. fd 3 keeps the pipe from Node; the reader subshell sees EOF when Node closes it
// or dies (even by SIGKILL), then stops socat. socat owns the non-persistent TUN device, so the kernel
// removes the device when socat exits. INT/HUP are ignored so a Ctrl-C on the terminal cannot kill the
// watchdog before Node has finished closing connections.
const SCRIPT = `
trap '' INT HUP PIPE
exec 3<&0
"$@" </dev/null &
sp=$!
echo "socat $sp"
( while read -r _ <&3; do :; done; kill -TERM "$sp" 2>/dev/null ) </dev/null &
rp=$!
exec 3<&-
wait "$sp"; code=$?
kill "$rp" 2>/dev/null
echo "exit $code"
`;

/** A running watchdog: write nothing to `stdin`; end it to tear everything down. */
export type Watchdog = ChildProcessByStdio<Writable, Readable, Readable>;

/** Starts socat (`socatArgs`) under a detached watchdog shell; socat's log arrives on the watchdog's stderr. */
export function spawnWatchdog(socatArgs: string[]): Watchdog {
  return spawn('/bin/sh', ['-c', SCRIPT, 'wasm-tcp-watchdog', 'socat', ...socatArgs], {
    detached: true, // own session: terminal signals and process-group kills of the CLI do not reach it
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
