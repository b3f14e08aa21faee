// Names of the wire layer's reason codes, index = code (same order as assembly/wire/reason.ts).

/** Short name of each reason code, indexed by code; 0 is 'ok'. */
export const REASON_NAMES: readonly string[] = [
  'ok',
  'ip-too-short',
  'ip-bad-version',
  'ip-bad-ihl',
  'ip-bad-total-length',
  'ip-truncated',
  'ip-header-truncated',
  'tcp-too-short',
  'tcp-bad-data-offset',
  'tcp-header-truncated',
  'bad-option-length',
  'option-overrun',
  'bad-mss-option',
  'bad-wscale-option',
  'bad-sack-permitted-option',
  'bad-timestamp-option',
  'bad-sack-option',
];

/** Short name of reason code `code` ('reason-N' for a code this host does not know). */
export function reasonName(code: number): string {
  return REASON_NAMES[code] ?? `reason-${code}`;
}
