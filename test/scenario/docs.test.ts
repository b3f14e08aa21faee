// docs/scenarios.md shows one ladder per scenario: each must be exactly what the scenario prints now (no doc drift).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderLadder } from '../../src/scenario/ladder.js';
import { runScenario, SCENARIOS } from '../../src/scenario/scenarios.js';

const doc = readFileSync(new URL('../../docs/scenarios.md', import.meta.url), 'utf8');

/** The first ```text block of the `## name` section. */
function sample(name: string): string | undefined {
  const start = doc.indexOf(`\n## ${name}\n`);
  if (start < 0) return undefined;
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return /```text\n([\s\S]*?)```/.exec(section)?.[1];
}

describe('docs/scenarios.md', () => {
  it.each(SCENARIOS.map((s) => s.name))('%s: the sample ladder is the current output (seed 1)', (name) => {
    expect(sample(name), `no section with a ladder for ${name}`).toBeDefined();
    expect(sample(name)).toBe(renderLadder(runScenario(name)));
  });
});
