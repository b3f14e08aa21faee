// The scenario runner and renderers are reused by the browser page: no Node built-in may reach them.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('scenario modules', () => {
  it('bundle for the browser without any Node built-in', async () => {
    const seen: string[] = [];
    const result = await build({
      entryPoints: ['src/scenario/index.ts'],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      loader: { '.wasm': 'binary' },
      logLevel: 'silent',
      plugins: [{
        name: 'no-node-builtins',
        setup(b) {
          b.onResolve({ filter: /^node:|^(fs|path|os|net|child_process|stream|crypto|http|url|util|events|buffer)$/ }, (args) => {
            seen.push(`${args.path} from ${args.importer}`);
            return { path: args.path, external: true };
          });
        },
      }],
    });
    expect(result.errors).toEqual([]);
    expect(seen).toEqual([]);
  });
});
