// ports/c/wasm_tcp_abi.h is generated from assembly/abi.spec.json by scripts/gen-abi.mjs, like both sides
// of the JavaScript boundary: it must be current, and what it says must agree with the host's tables
// (src/engine/abi.ts, generated separately) and with the built engine (the control block it fills).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateAbi } from '../../scripts/gen-abi.mjs';
import {
  ABI_VERSION, CONFIG_KEYS, CONFIG_LIMITS, Ctl, DEFAULT_CONFIG, Errno, INFO_FIELDS, RECORD_HEADER, STAGE_SIZE, STATE_NAMES,
  STAT_NAMES, EventKind, SockOpt,
} from '../../src/engine/abi.js';
import { Engine } from '../../src/engine/engine.js';

const PATH = 'ports/c/wasm_tcp_abi.h';
const header = readFileSync(new URL(`../../${PATH}`, import.meta.url), 'utf8');

/** maxConnections → MAX_CONNECTIONS. */
const cName = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The members of C enum `name` in the header, name → value (`1 << n` evaluated). */
function cEnum(name: string): Map<string, number> {
  const body = new RegExp(`enum ${name} \\{\\n([\\s\\S]*?)\\n\\};`).exec(header)?.[1];
  if (!body) throw new Error(`no enum ${name} in ${PATH}`);
  const out = new Map<string, number>();
  for (const m of body.matchAll(/^ {2}(WTCP_\w+) = (-?\d+)(?: << (\d+))?,?/gm)) {
    out.set(m[1], m[3] === undefined ? Number(m[2]) : Number(m[2]) * 2 ** Number(m[3]));
  }
  return out;
}

/** The value of `#define name …`. */
function define(name: string): string {
  const m = new RegExp(`^#define ${name} (.*)$`, 'm').exec(header);
  if (!m) throw new Error(`no #define ${name} in ${PATH}`);
  return m[1];
}

describe(PATH, () => {
  it('is what the generator makes of the spec (run `npm run build` after editing the spec)', () => {
    expect(header).toBe((generateAbi() as Record<string, string>)[PATH]);
  });

  it('numbers config keys, states, events, errno, counters, options and control slots as the host does', () => {
    expect(define('WTCP_ABI_VERSION')).toBe(String(ABI_VERSION));
    expect([...cEnum('wtcp_config_key')]).toEqual([...CONFIG_KEYS.map((k, i) => [`WTCP_CFG_${cName(k)}`, i]), ['WTCP_CFG_COUNT', CONFIG_KEYS.length]]);
    expect([...cEnum('wtcp_tcp_state')]).toEqual([...STATE_NAMES.map((n, i) => [`WTCP_${n}`, i]), ['WTCP_STATE_COUNT', STATE_NAMES.length]]);
    expect(define('WTCP_STATE_NAMES')).toBe(`{ ${STATE_NAMES.map((n) => `"${n}"`).join(', ')} }`);
    expect(cEnum('wtcp_event_kind').get('WTCP_EV_CLOSED')).toBe(EventKind.Closed);
    expect(cEnum('wtcp_event_kind').get('WTCP_EV_PEER_FIN')).toBe(EventKind.PeerFin);
    expect([...cEnum('wtcp_errno')]).toEqual(Object.entries(Errno).map(([k, v]) => [`WTCP_${k}`, v]));
    expect([...cEnum('wtcp_stat_index')]).toEqual([...STAT_NAMES.map((n, i) => [`WTCP_STAT_${cName(n)}`, i]), ['WTCP_STAT_COUNT', STAT_NAMES.length]]);
    expect(cEnum('wtcp_sockopt').get('WTCP_OPT_MAX_SEG')).toBe(SockOpt.MaxSeg);
    expect(cEnum('wtcp_sockopt').get('WTCP_OPT_NO_DELAY')).toBe(SockOpt.NoDelay);
    const ctl = cEnum('wtcp_ctl');
    expect(ctl.get('WTCP_CTL_DEADLINE')).toBe(Ctl.Deadline);
    expect(ctl.get('WTCP_CTL_RX_BASE')).toBe(Ctl.RxBase);
    expect(ctl.get('WTCP_CTL_EV_COUNT')).toBe(Ctl.EvCount);
    expect(define('WTCP_RECORD_HEADER')).toBe(String(RECORD_HEADER));
    expect(define('WTCP_STAGE_SIZE')).toBe(String(STAGE_SIZE));
  });

  it('gives every knob its default and type, in key order', () => {
    const defaults = define('WTCP_CFG_DEFAULTS').replace(/[{}]/g, '').split(',').map((v) => Number(v));
    expect(defaults).toEqual(CONFIG_KEYS.map((k) => Number(DEFAULT_CONFIG[k])));
    const types = JSON.parse(define('WTCP_CFG_TYPES')) as string;
    expect([...types]).toEqual(CONFIG_KEYS.map((k) => ({ int: 'i', ms: 'm', bool: 'b' })[CONFIG_LIMITS[k].type]));
  });

  it('lays wtcp_info out as the engine fills its info slots', () => {
    const fields = [...header.matchAll(/^ {2}double (\w+); /gm)].map((m) => m[1]);
    expect(fields).toEqual(INFO_FIELDS.map((f) => cName(f).toLowerCase()));
    // The engine fills the slots in that order: a connection's local port lands in the second double.
    const e = Engine.create({ addr: 0x0a000001, seed: 1, config: { maxConnections: 2 } });
    const c = e.connect(0x0a000002, 80, 0, 40000);
    expect(e.exports.tcpInfo(c)).toBe(0);
    const infoBase = new Int32Array(e.memory.buffer)[(e.exports.ctlPtr() >>> 2) + Ctl.InfoBase];
    const slots = new Float64Array(e.memory.buffer, infoBase, fields.length);
    expect(slots[fields.indexOf('local_port')]).toBe(40000);
    expect(slots[fields.indexOf('remote_port')]).toBe(80);
    expect(slots[fields.indexOf('state')]).toBe(STATE_NAMES.indexOf('SYN_SENT'));
  });
});
