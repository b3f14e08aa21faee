// Names of the wire layer's reason codes, index = code (generated from the spec with the engine's codes).
import { REASON_NAMES } from '../engine/abi.js';

export { REASON_NAMES } from '../engine/abi.js';

/** Short name of reason code `code` ('reason-N' for a code this host does not know). */
export function reasonName(code: number): string {
  return REASON_NAMES[code] ?? `reason-${code}`;
}
