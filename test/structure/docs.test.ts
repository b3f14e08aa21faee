// docs/engine.md and docs/engine-abi.md say what the code does: every file and function the rule
// table names exists there, and the ABI page lists exactly the module's exports.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instantiateEngine } from '../../src/engine/load.js';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** `file.ts` `fn`, `fn2` … pairs of a "where" cell; a bare `fn` belongs to the file named before it; `net/x.ts` is assembly/net/x.ts. */
function whereRefs(cell: string): [string, string][] {
  const out: [string, string][] = [];
  let file = '';
  for (const m of cell.matchAll(/((?:[a-z]+\/)?[a-z]+\.ts)|`([A-Za-z0-9_]+)`/g)) {
    if (m[1]) file = m[1];
    else if (file) out.push([file, m[2]]);
  }
  return out;
}

describe('docs', () => {
  it("engine.md's rule table names functions that exist in the files it names", () => {
    const md = read('docs/engine.md');
    const table = md.slice(md.indexOf('## Where each rule lives'), md.indexOf('## Events and handles'));
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| rule') && !l.startsWith('|---'));
    expect(rows.length).toBeGreaterThan(30);
    const missing: string[] = [];
    let refs = 0;
    for (const row of rows) {
      const cells = row.split(' | ');
      for (const [file, fn] of whereRefs(cells[cells.length - 1])) {
        refs++;
        const src = read(join('assembly', file.includes('/') ? file : join('tcp', file)));
        if (!new RegExp(`function ${fn}\\b`).test(src)) missing.push(`${file} ${fn}`);
      }
    }
    expect(refs).toBeGreaterThan(60);
    expect(missing).toEqual([]);
    expect(whereRefs('input.ts `a`, `b`, user.ts `c`, net/arp.ts `d`')).toEqual([['input.ts', 'a'], ['input.ts', 'b'], ['user.ts', 'c'], ['net/arp.ts', 'd']]);
  });

  it('engine-abi.md lists exactly the raw exports, each with its parameters as tcp/exports.ts or net/exports.ts declares them', () => {
    const md = read('docs/engine-abi.md');
    const section = md.slice(md.indexOf('## Raw exports'), md.indexOf('## The wrapper'));
    const documented = new Map<string, string>();
    for (const m of section.matchAll(/`([a-zA-Z]+)\(([^)]*)\)/g)) documented.set(m[1], m[2]);
    const exported = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(ROOT, 'build/engine.wasm'))))
      .filter((e) => e.kind === 'function').map((e) => e.name);
    expect(instantiateEngine().engineAbiVersion()).toBe(5);
    expect([...documented.keys()].filter((n) => exported.includes(n)).sort()).toEqual([...exported].sort());
    const src = read('assembly/tcp/exports.ts') + read('assembly/net/exports.ts');
    for (const name of exported) {
      const decl = new RegExp(`export function ${name}\\(([^)]*)\\)`).exec(src);
      expect(decl, name).not.toBeNull();
      const params = decl![1].split(',').map((p) => p.trim().split(':')[0]).filter(Boolean);
      const doc = documented.get(name)!.split(',').map((p) => p.trim().split(':')[0]).filter(Boolean);
      expect(doc, name).toEqual(params);
    }
  });
});
