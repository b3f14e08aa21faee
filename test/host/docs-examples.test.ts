// The runnable examples of docs/host.md run as written (against the built package) and print what they say.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const doc = readFileSync('docs/host.md', 'utf8');
const examples = [...doc.matchAll(/```ts\n\/\/ example: ([\w-]+)\n([\s\S]*?)```/g)].map((m) => ({ name: m[1], code: m[2] }));
const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const url = (p: string) => pathToFileURL(resolve(p)).href;

describe('docs/host.md examples', () => {
  it('has one example for each API', () => {
    expect(examples.map((e) => e.name)).toEqual(['web-streams', 'node-net']);
  });

  for (const ex of examples) {
    it(`${ex.name} runs, prints what its comments say and exits by itself`, () => {
      const expected = [...ex.code.matchAll(/\/\/ prints (.*)$/gm)].map((m) => m[1]);
      expect(expected.length).toBeGreaterThan(0);
      const js = transformSync(ex.code, { loader: 'ts', format: 'esm', target: 'node20' }).code
        .replace(/from ["']wasm-tcp\/net["']/g, `from '${url('dist/net.js')}'`)
        .replace(/from ["']wasm-tcp["']/g, `from '${url('dist/index.js')}'`);
      const file = join(dir, `${ex.name}.mjs`);
      writeFileSync(file, js);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(expected);
    });
  }
});
