// The engine/host tables come from one spec (assembly/abi.spec.mjs): the generated files are current,
// the built module agrees with them, and no hand-written copy of a table is left in the sources.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAbi } from '../../scripts/gen-abi.mjs';
import { sourceFiles } from '../support/import-graph.js';
import { instantiateEngine } from '../../src/engine/load.js';
import { testExports, testModule } from '../support/test-engine.js';
import {
  ABI_VERSION, CONFIG_KEYS, CONFIG_LIMITS, DEFAULT_CONFIG, Errno, INFO_FIELDS, STATE_NAMES, STAT_NAMES,
} from '../../src/engine/abi.js';
import { Engine } from '../../src/engine/engine.js';

const ROOT = join(__dirname, '..', '..');

describe('ABI spec', () => {
  it('generated files match the spec (run `npm run build` after editing it)', () => {
    for (const [path, text] of Object.entries(generateAbi() as Record<string, string>)) {
      expect(readFileSync(join(ROOT, path), 'utf8'), path).toBe(text);
    }
  });

  it('the built engine reports the spec ABI version and holds the spec defaults', () => {
    expect(instantiateEngine().engineAbiVersion()).toBe(ABI_VERSION);
    const ex = testExports(); // configGet is a test-build export
    CONFIG_KEYS.forEach((k, i) => {
      const d = DEFAULT_CONFIG[k];
      expect(ex.configGet(i), k).toBe(typeof d === 'boolean' ? (d ? 1 : 0) : d);
    });
    expect(Number.isNaN(ex.configGet(CONFIG_KEYS.length))).toBe(true);
  });

  it('the built engine accepts exactly the spec ranges', () => {
    const ex = instantiateEngine();
    CONFIG_KEYS.forEach((k, i) => {
      const lim = CONFIG_LIMITS[k];
      if (lim.type === 'bool') return;
      const step = lim.type === 'int' ? 1 : 0.5;
      if (lim.min !== undefined) {
        expect(ex.configSet(i, lim.min), `${k}=${lim.min}`).toBe(0);
        expect(ex.configSet(i, lim.min - step), `${k}=${lim.min - step}`).toBe(-Errno.EINVAL);
      }
      if (lim.max !== undefined) {
        expect(ex.configSet(i, lim.max), `${k}=${lim.max}`).toBe(0);
        expect(ex.configSet(i, lim.max + step), `${k}=${lim.max + step}`).toBe(-Errno.EINVAL);
      }
      if (lim.gt !== undefined) {
        expect(ex.configSet(i, lim.gt), `${k}=${lim.gt}`).toBe(-Errno.EINVAL);
        expect(ex.configSet(i, lim.gt + step), `${k}=${lim.gt + step}`).toBe(0);
      }
      expect(ex.configSet(i, NaN), `${k}=NaN`).toBe(-Errno.EINVAL);
    });
    expect(ex.configSet(CONFIG_KEYS.length, 1)).toBe(-Errno.EINVAL);
  });

  it('Engine.config is what the engine holds (int knobs truncated)', () => {
    const e = Engine.create({ addr: 0x0a000001, seed: 1, config: { maxConnections: 3.7, rtoMinMs: 150.5, sack: false }, module: testModule() });
    CONFIG_KEYS.forEach((k, i) => expect(Number(e.config[k]), k).toBe(e.exports.configGet(i)));
    expect(e.config.maxConnections).toBe(3);
    expect(e.config.rtoMinMs).toBe(150.5);
    expect(e.config.sack).toBe(false);
  });

  it('size knobs (and the knobs checked against them) are fixed after init, the others are not', () => {
    const e = Engine.create({ addr: 0x0a000001, seed: 1, config: { maxConnections: 2 } });
    const ex = (e as unknown as { ex: Record<string, (...a: number[]) => number> }).ex;
    CONFIG_KEYS.forEach((k, i) => {
      const r = ex.configSet(i, Number(e.config[k]));
      expect(r, k).toBe(CONFIG_LIMITS[k].size || CONFIG_LIMITS[k].fixed ? -Errno.EBUSY : 0);
    });
  });

  it('info and stats read every field the spec names', () => {
    const e = Engine.create({ addr: 0x0a000001, seed: 1, config: { maxConnections: 2 } });
    const c = e.connect(0x0a000002, 80, 0);
    const info = e.info(c);
    expect(Object.keys(info)).toEqual(INFO_FIELDS);
    expect(STATE_NAMES[info.state]).toBe('SYN_SENT');
    expect(info.sndMax - info.iss).toBe(1);
    expect(Object.keys(e.stats)).toEqual([...STAT_NAMES]);
    expect(e.stats.segmentsOut).toBe(1);
  });

  it('no source file keeps a hand-written copy of a table', () => {
    const generated = new Set(Object.keys(generateAbi() as Record<string, string>));
    const copies: string[] = [];
    for (const f of sourceFiles(ROOT, ['assembly', 'src', 'web', 'bench'])) {
      if (generated.has(f)) continue;
      for (const name of tableCopies(readFileSync(join(ROOT, f), 'utf8'))) copies.push(`${f}: ${name}`);
    }
    expect(copies).toEqual([]);
    expect(tableCopies("const S = ['SYN_RCVD', \"ESTABLISHED\",\n 'FIN_WAIT_1'];")).toEqual(['states']);
    expect(tableCopies('const EV_CLOSED = 6;')).toEqual(['event or state numbers']);
  });
});

/** Names of the spec tables `text` repeats: three names of a table in a row, quoted, or EV_/ST_ number constants. */
function tableCopies(text: string): string[] {
  const tables: [string, readonly string[]][] = [['states', STATE_NAMES], ['stats', STAT_NAMES], ['config keys', CONFIG_KEYS]];
  const out: string[] = [];
  for (const [name, list] of tables) {
    for (let i = 0; i + 2 < list.length; i++) {
      const re = new RegExp(list.slice(i, i + 3).map((n) => `['"\`]${n}['"\`]`).join('\\s*,\\s*'));
      if (re.test(text)) { out.push(name); break; }
    }
  }
  if (/\b(?:EV|ST)_[A-Z_]+\s*=\s*\d/.test(text)) out.push('event or state numbers');
  return out;
}
