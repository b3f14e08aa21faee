// Adapts the Engine wrapper (src/engine/engine.ts) to what the script runner drives.
import { CONFIG_KEYS, Engine, SockOpt } from '../engine/engine.js';
import type { EngineFactory, ScriptEngine } from './runner.js';

/** The engine's config keys, so the runner can report profile settings the engine lacks. */
export const ENGINE_CONFIG_KEYS: readonly string[] = CONFIG_KEYS;

/** Creates a fresh WASM engine per script. */
export const createScriptEngine: EngineFactory = ({ addr, seed, config }) => {
  const known: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(config)) if ((CONFIG_KEYS as readonly string[]).includes(k)) known[k] = v;
  const e = Engine.create({ addr, seed, config: known });
  const adapter: ScriptEngine = {
    input: (p, now) => e.input(p, now),
    drainTx: (fn) => e.drainTx(fn),
    poll: (now) => e.poll(now),
    nextEvent: (ev) => e.nextEvent(ev),
    listen: (port, backlog) => e.listen(port, backlog),
    unlisten: (l, now) => e.unlisten(l, now),
    accept: (l) => e.accept(l),
    connect: (a, p, now, src) => e.connect(a, p, now, src),
    send: (c, d, now) => e.send(c, d, now),
    recv: (c, into, now) => e.recv(c, into, now),
    shutdown: (c, now) => e.shutdown(c, now),
    shutdownRead: (c, now) => e.shutdownRead(c, now),
    close: (c, now) => e.close(c, now),
    abort: (c, now) => e.abort(c, now),
    release: (c, now) => e.release(c, now),
    setNoDelay: (c, on, now) => e.setNoDelay(c, on, now),
    setKeepAlive: (c, on, idle, now) => e.setKeepAlive(c, on, idle ?? 0, now),
    setLinger0: (c, on, now) => e.setLinger0(c, on, now),
    setKeepAliveParams: (c, p, now) => e.setKeepAliveParams(c, p, now),
    setUserTimeout: (c, ms, now) => e.setUserTimeout(c, ms, now),
    setLinger2: (c, secs, now) => void e.setOption(c, SockOpt.Linger2Ms, secs < 0 ? -1 : secs * 1000, now),
    getLinger2: (c) => {
      const ms = e.getOption(c, SockOpt.Linger2Ms);
      return ms < 0 ? -1 : Math.floor(ms / 1000);
    },
    state: (c) => e.state(c),
    info: (c) => e.info(c),
    bufferedSend: (c) => e.bufferedSend(c),
    bufferedRecv: (c) => e.readable(c),
    maxSeg: (c) => e.info(c).mss,
    soError: (c) => e.soError(c),
    pollMask: (c) => e.pollMask(c),
    sendBufferSize: e.config.sendBufferSize,
  };
  return adapter;
};
