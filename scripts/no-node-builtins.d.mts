// Types of scripts/no-node-builtins.mjs (imported by test/browser/bundle.test.ts).
import type { Plugin } from 'esbuild';

/** True for `node:*` and every bare name Node resolves to a built-in. */
export function isNodeBuiltin(path: string): boolean;
/** esbuild plugin: any import of a Node built-in fails the build; `what` names the bundle in the error. */
export function noNodeBuiltins(what?: string): Plugin;
