// esbuild plugin of the browser bundles (scripts/build.mjs): a Node built-in reaching the bundle is a build error.
import { builtinModules } from 'node:module';
import { relative } from 'node:path';

const BUILTINS = new Set(builtinModules);

/** True for `node:*` and every bare name Node resolves to a built-in (`fs`, `fs/promises`, `events`, …). */
export function isNodeBuiltin(path) {
  return path.startsWith('node:') || BUILTINS.has(path);
}

/** The plugin: any import of a Node built-in fails the build, naming the importing file; `what` names the bundle. */
export function noNodeBuiltins(what = 'the browser bundle') {
  return {
    name: 'no-node-builtins',
    setup(b) {
      // Bare specifiers only; relative and absolute paths are project files.
      b.onResolve({ filter: /^[^./]/ }, (args) => (isNodeBuiltin(args.path)
        ? { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer ? relative(process.cwd(), args.importer) : '<entry>'} must not reach ${what}` }] }
        : undefined));
    },
  };
}
