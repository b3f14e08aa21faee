// Runs every script of our conformance suite (test/scripts/*.pkt) against the engine.
// Each must PASS, except those in EXPECTED_FAILURES: Linux behaviour the engine does not have
// yet. The scripts state what Linux does; the engine is what is wrong there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScriptEngine, ENGINE_CONFIG_KEYS } from '../../src/script/engine.js';
import { runScriptText } from '../../src/script/runner.js';

const DIR = join(__dirname, '..', 'scripts');

/**
 * Scripts that do not pass yet, with the engine gap that makes them fail (each confirmed as
 * Linux behaviour with `wasm-tcp script --kernel`). The engine has closed every gap the suite
 * found (listed in docs/conformance.md); add an entry with its reason when a script finds a new one.
 */
const EXPECTED_FAILURES: Record<string, string> = {};

/**
 * Scripts whose only difference is where PSH goes: Linux marks the last segment of each TSO
 * skb it builds (every two segments in our runs), the engine only the end of a write. They must
 * pass with PSH ignored, so everything else they check stays covered.
 */
const PSH_ONLY: Record<string, string> = {
  'sws-small-window.pkt': 'PSH on the first sub-MSS send',
};

const scripts = readdirSync(DIR).filter((f) => f.endsWith('.pkt')).sort();

describe('conformance suite (test/scripts)', () => {
  it('has at least 60 scripts and every expected failure names an existing script', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(60);
    for (const name of [...Object.keys(EXPECTED_FAILURES), ...Object.keys(PSH_ONLY)]) expect(scripts).toContain(name);
  });

  for (const name of scripts) {
    const known = EXPECTED_FAILURES[name];
    const psh = PSH_ONLY[name];
    const run = (ignorePsh: boolean) => runScriptText(readFileSync(join(DIR, name), 'utf8'), createScriptEngine, { profile: 'linux', configKeys: ENGINE_CONFIG_KEYS, ignorePsh });
    it(`${name}${known ? ' (expected failure)' : psh ? ' (PSH placement differs; passes ignoring PSH)' : ''}`, () => {
      const r = run(psh !== undefined);
      if (known) {
        // Runs anyway, so a crash or a hang still fails; a pass means the gap was closed.
        expect(['PASS', 'FAIL', 'SKIP']).toContain(r.verdict);
        if (r.verdict === 'PASS') console.warn(`${name} passes now: remove it from EXPECTED_FAILURES`);
        return;
      }
      expect(r.verdict, `${r.line ? `line ${r.line}: ` : ''}${r.message ?? ''}`).toBe('PASS');
      if (psh) {
        const strict = run(false);
        if (strict.verdict === 'PASS') console.warn(`${name} passes with PSH compared: remove it from PSH_ONLY`);
      }
    });
  }
});
