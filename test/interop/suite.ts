// `describeInterop`: interop suites run where they can, fail loudly under CI when they cannot.
import { describe, it } from 'vitest';
import { missingPrerequisite } from './netns.js';

/**
 * `describe` for interop suites: runs when the prerequisites hold; under CI=true a missing prerequisite
 * is a failing test (never a silent skip); elsewhere the suite is skipped with the reason printed.
 */
export function describeInterop(name: string, fn: () => void): void {
  const reason = missingPrerequisite();
  if (!reason) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its prerequisites (root, /dev/net/tun, ip, socat, python3, dist/)', () => {
        throw new Error(`interop tests cannot run under CI: ${reason}`);
      });
    });
  } else {
    console.warn(`[interop] skipping '${name}': ${reason}`);
    describe.skip(name, fn);
  }
}
