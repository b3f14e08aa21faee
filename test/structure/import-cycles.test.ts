// No import cycles among the project's sources (assembly/, src/, web/, bench/), type-only imports included.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cyclePath, importCycles, importGraph, sourceFiles } from '../support/import-graph.js';

const ROOT = join(__dirname, '..', '..');
const DIRS = ['assembly', 'src', 'web', 'bench'];

/** Cycles another change is removing, by their files: each must still be a cycle (a stale entry fails), and nothing else may be. */
const PENDING: readonly (readonly string[])[] = [];

describe('import graph', () => {
  it('has no cycles', () => {
    const g = importGraph(ROOT, sourceFiles(ROOT, DIRS));
    expect(g.size).toBeGreaterThan(100);
    const sccs = importCycles(g);
    const key = (files: readonly string[]) => [...files].sort().join(' ');
    const pending = new Set(PENDING.map(key));
    const unexpected = sccs.filter((s) => !pending.has(key(s))).map((s) => `${s.join(', ')}: e.g. ${cyclePath(g, s)}`);
    expect(unexpected).toEqual([]);
    const gone = PENDING.filter((p) => !sccs.some((s) => key(s) === key(p)));
    expect(gone, 'remove these from PENDING: they are no longer cycles').toEqual([]);
  });

  it('finds a cycle through a type-only import, an AssemblyScript import and a re-export', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-cycles-'));
    try {
      mkdirSync(join(dir, 'src'));
      mkdirSync(join(dir, 'assembly'));
      writeFileSync(join(dir, 'src', 'a.ts'), "import type { B } from './b.js';\nexport interface A { b?: B }\n");
      writeFileSync(join(dir, 'src', 'b.ts'), "export { c } from './c.js';\nexport interface B { n: number }\n");
      writeFileSync(join(dir, 'src', 'c.ts'), "import { type A } from './a.js';\nexport const c = (a: A) => a;\n");
      writeFileSync(join(dir, 'assembly', 'x.ts'), "import { y } from './y';\nexport const x = y;\n");
      writeFileSync(join(dir, 'assembly', 'y.ts'), "import { x } from './x';\nexport const y = 1; export const z = x;\n");
      writeFileSync(join(dir, 'assembly', 'leaf.ts'), "import { y } from './y';\nexport const leaf = y;\n");
      const g = importGraph(dir, sourceFiles(dir, ['src', 'assembly']));
      const cycles = importCycles(g);
      expect(cycles).toEqual([['assembly/x.ts', 'assembly/y.ts'], ['src/a.ts', 'src/b.ts', 'src/c.ts']]);
      expect(cyclePath(g, cycles[1])).toBe('src/a.ts → src/b.ts → src/c.ts → src/a.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
