// Engine settings for `--profile linux|default`, and the interpretation (never execution) of
// backquoted commands: the defaults include, sysctl overrides, cleanup.
import { LINUX_PROFILE as ENGINE_LINUX_PROFILE } from '../engine/config.js';

/** Engine config overrides, keyed as in src/engine/config.ts. */
export type ConfigOverrides = Record<string, number | boolean>;

/** The result of interpreting one backquoted command. */
export interface CommandEffect {
  /** Config overrides to apply. */
  config: ConfigOverrides;
  /** True when the command loads the Linux defaults profile. */
  loadsLinuxProfile: boolean;
  /** Human notes on what was not applied (reported, never fatal). */
  notes: string[];
  /** Every net.ipv4 sysctl assignment recognised, as written (for the --kernel backend). */
  sysctls: Array<[string, string]>;
}

/**
 * The sysctls of test/scripts/defaults.sh, which `--kernel` applies in its namespace when a
 * script loads the Linux profile (the runner never executes commands).
 */
export const KERNEL_LINUX_SYSCTLS: ReadonlyArray<[string, string]> = [
  ['net.ipv4.tcp_rmem', '4096 540000 15728640'], ['net.ipv4.tcp_wmem', '4096 262144 4194304'],
  ['net.ipv4.tcp_timestamps', '1'], ['net.ipv4.tcp_sack', '1'], ['net.ipv4.tcp_dsack', '0'],
  ['net.ipv4.tcp_window_scaling', '1'], ['net.ipv4.tcp_syn_retries', '5'], ['net.ipv4.tcp_synack_retries', '5'],
  ['net.ipv4.tcp_retries2', '15'], ['net.ipv4.tcp_fin_timeout', '60'], ['net.ipv4.tcp_slow_start_after_idle', '0'],
  ['net.ipv4.tcp_ecn', '0'], ['net.ipv4.tcp_early_retrans', '0'], ['net.ipv4.tcp_recovery', '0'], ['net.ipv4.tcp_frto', '0'],
  ['net.ipv4.tcp_congestion_control', 'reno'], ['net.ipv4.tcp_syncookies', '1'], ['net.ipv4.tcp_moderate_rcvbuf', '0'],
  ['net.ipv4.tcp_syn_linear_timeouts', '0'],
];

type SysctlRule =
  | { set: (v: string) => ConfigOverrides | string }
  | { ignore: string };

const int = (v: string) => Number.parseInt(v.trim(), 10);
/** A feature the engine lacks: setting it to 0 matches the engine, anything else is reported. */
const offOnly = (what: string): SysctlRule => ({ set: (v: string) => (int(v) === 0 ? {} : what) });
const bool = (key: string) => ({ set: (v: string) => ({ [key]: int(v) !== 0 }) });

/** net.ipv4.* sysctls we map onto engine knobs, or accept because the engine already behaves so. */
const SYSCTLS: Record<string, SysctlRule> = {
  tcp_timestamps: bool('timestamps'),
  tcp_sack: bool('sack'),
  tcp_window_scaling: bool('windowScaling'),
  tcp_syn_retries: { set: (v) => ({ synRetries: int(v) }) },
  tcp_synack_retries: { set: (v) => ({ synAckRetries: int(v) }) },
  tcp_retries2: { set: (v) => ({ dataRetries: int(v) }) },
  tcp_fin_timeout: { set: (v) => ({ finWait2TimeoutMs: int(v) * 1000 }) },
  tcp_keepalive_time: { set: (v) => ({ keepaliveIdleMs: int(v) * 1000 }) },
  tcp_keepalive_intvl: { set: (v) => ({ keepaliveIntervalMs: int(v) * 1000 }) },
  tcp_keepalive_probes: { set: (v) => ({ keepaliveCount: int(v) }) },
  tcp_rmem: {
    set: (v) => {
      const max = int(v.trim().split(/\s+/)[2] ?? '');
      if (!(max > 0)) return `tcp_rmem '${v}' needs three numbers`;
      let shift = 0;
      while (shift < 14 && max >>> shift > 0xffff) shift++;
      return { windowScale: shift };
    },
  },
  tcp_wmem: { ignore: 'send buffer sizes are fixed by the engine config' },
  tcp_ecn: { set: (v) => (int(v) === 0 || int(v) === 2 ? {} : 'ECN is not implemented') },
  tcp_dsack: bool('dsack'),
  tcp_syncookies: { ignore: 'SYN cookies are not implemented' },
  tcp_frto: offOnly('F-RTO is not implemented'),
  tcp_reordering: { ignore: 'the duplicate-ACK threshold is fixed at 3' },
  tcp_congestion_control: { set: (v) => (v.trim() === 'reno' ? {} : `congestion control is NewReno, not ${v.trim()}`) },
  tcp_slow_start_after_idle: offOnly('slow start after idle is not implemented'),
  // Linux: 3 or 4 turn the tail loss probe on, anything else off (early retransmit itself is gone).
  tcp_early_retrans: { set: (v) => ({ tlp: int(v) === 3 || int(v) === 4 }) },
  // Bit 0: RACK loss detection; 0x2 (static reordering window) and 0x4 (no DupThresh) are not modelled.
  tcp_recovery: { set: (v) => (int(v) & ~1 ? `tcp_recovery=${v}: only bit 0 (RACK) is modelled` : { rack: (int(v) & 1) !== 0 }) },
  tcp_min_tso_segs: { ignore: 'no TSO' },
  tcp_tso_win_divisor: { ignore: 'no TSO' },
  tcp_autocorking: offOnly('autocorking is not implemented'),
  tcp_no_metrics_save: { ignore: 'no route metrics' },
  tcp_pacing_ss_ratio: { ignore: 'no pacing' },
  tcp_pacing_ca_ratio: { ignore: 'no pacing' },
  tcp_min_rtt_wlen: { ignore: 'no windowed min-RTT filter' },
  tcp_fastopen: { ignore: 'TCP Fast Open is not implemented' },
  tcp_mtu_probing: offOnly('MTU probing is not implemented'),
  tcp_moderate_rcvbuf: offOnly('receive buffer autotuning is not implemented'),
  tcp_rfc1337: { ignore: 'TIME_WAIT assassination handling is fixed' },
};

/** Interprets a sysctl assignment such as `net.ipv4.tcp_sack=0` or `/proc/sys/net/ipv4/tcp_sack=0`. */
export function interpretSysctl(assign: string, into: CommandEffect): void {
  const m = /^(?:\/proc\/sys\/)?net[./]ipv4[./]([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(assign.trim());
  if (!m) {
    into.notes.push(`sysctl '${assign}' not interpreted`);
    return;
  }
  const [, name, value] = m;
  into.sysctls.push([`net.ipv4.${name}`, value.replace(/^["']|["']$/g, '')]);
  const rule = SYSCTLS[name];
  if (!rule) into.notes.push(`sysctl ${name}=${value}: no engine knob`);
  else if ('ignore' in rule) into.notes.push(`sysctl ${name}=${value} ignored: ${rule.ignore}`);
  else {
    const r = rule.set(value.replace(/["']/g, ''));
    if (typeof r === 'string') into.notes.push(`sysctl ${name}=${value}: ${r}`);
    else Object.assign(into.config, r);
  }
}

/** Interprets a backquoted command as packetdrill's Linux scripts use them. */
export function interpretCommand(command: string): CommandEffect {
  const effect: CommandEffect = { config: {}, loadsLinuxProfile: false, notes: [], sysctls: [] };
  for (const part of command.split(/\s*(?:&&|;|\n)\s*/).filter(Boolean)) {
    const words: string[] = part.trim().match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
    const prog = words[0] ?? '';
    if (/(^|\/)defaults\.sh$/.test(prog)) {
      effect.loadsLinuxProfile = true;
      for (const w of words.slice(1)) if (w.includes('=')) interpretSysctl(w, effect);
    } else if (/(^|\/)set_sysctls\.py$/.test(prog)) {
      for (const w of words.slice(1)) interpretSysctl(w, effect);
    } else if (prog === 'sysctl') {
      for (const w of words.slice(1)) if (!w.startsWith('-')) interpretSysctl(w, effect);
    } else if (prog === 'echo' && words.includes('>')) {
      const target = words[words.indexOf('>') + 1] ?? '';
      const value = words.slice(1, words.indexOf('>')).join(' ').replace(/^["']|["']$/g, '');
      interpretSysctl(`${target}=${value}`, effect);
    } else if (/sysctl_restore_/.test(prog) || prog === 'true' || prog === ':') {
      // cleanup: the runner restores nothing, each script has its own engine
    } else {
      effect.notes.push(`command not interpreted: ${part.trim()}`);
    }
  }
  return effect;
}

/**
 * What Linux with packetdrill's defaults.sh chooses where the RFCs leave room: the engine's own
 * Linux profile, what the sysctls of defaults.sh (KERNEL_LINUX_SYSCTLS, the one list of them) say
 * (D-SACK, TLP and RACK off, tcp_retries2 15, …), and the Linux constants the runner relies on.
 */
export const LINUX_PROFILE: Readonly<ConfigOverrides> = (() => {
  const fromSysctls: CommandEffect = { config: {}, loadsLinuxProfile: true, notes: [], sysctls: [] };
  for (const [k, v] of KERNEL_LINUX_SYSCTLS) interpretSysctl(`${k}=${v}`, fromSysctls);
  return {
    ...(ENGINE_LINUX_PROFILE as ConfigOverrides),
    ...fromSysctls.config,
    windowScaling: true,
    timeWaitMs: 60000, // TCP_TIMEWAIT_LEN
    keepaliveIdleMs: 7200000,
    keepaliveIntervalMs: 75000,
    keepaliveCount: 9,
    defaultMss: 536,
  };
})();
