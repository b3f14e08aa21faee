// The import graph of the project's own sources, read with the TypeScript compiler's pre-processor
// (every `import`, `import type`, `export … from` and `import()` counts), and its cycles.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Files (relative to `root`) → the project files they import. */
export type ImportGraph = Map<string, string[]>;

/** Every .ts file under `dirs` (relative to `root`), declaration files excluded. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(root, p));
    }
  };
  for (const d of dirs) if (existsSync(join(root, d))) walk(join(root, d));
  return out.sort();
}

/** Resolves a relative specifier as TypeScript (`./x.js` → x.ts) or AssemblyScript (`./x` → x.ts) does; undefined for packages and non-source files. */
function resolveSpecifier(root: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(root, dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base];
  for (const c of candidates) if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return relative(root, c);
  return undefined;
}

/** The import graph of `files`; an import that resolves to a file outside `files` is kept too. */
export function importGraph(root: string, files: readonly string[]): ImportGraph {
  const g: ImportGraph = new Map();
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(join(root, f), 'utf8'), true, true);
    const deps = new Set<string>();
    for (const imp of info.importedFiles) {
      const r = resolveSpecifier(root, f, imp.fileName);
      if (r) deps.add(r);
    }
    g.set(f, [...deps].sort());
  }
  return g;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function importCycles(g: ImportGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One shortest cycle through the first file of `scc`, as a readable path `a → b → a`. */
export function cyclePath(g: ImportGraph, scc: readonly string[]): string {
  const inScc = new Set(scc);
  const start = scc[0];
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of g.get(v) ?? []) {
      if (!inScc.has(w)) continue;
      if (w === start) {
        const back: string[] = [];
        for (let x = v; x !== start; x = prev.get(x)!) back.push(x);
        return [start, ...back.reverse(), start].join(' → ');
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return scc.join(' ↔ ');
}
