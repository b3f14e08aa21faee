// Test helpers: the real-traffic captures in test/fixtures/ and tshark's view of them (*.tshark.tsv),
// both made by scripts/capture-fixtures.sh.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Directory of the capture fixtures. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** One frame as tshark decoded it: field name → text ('' when absent). */
export type TsharkRow = Record<string, string>;

/** A capture fixture with its bytes and tshark's rows. */
export interface Fixture {
  name: string;
  path: string;
  bytes: Uint8Array;
  rows: TsharkRow[];
}

/** Every capture in test/fixtures/ that has a tshark TSV next to it. */
export function fixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .sort()
    .map((name) => {
      const path = join(FIXTURES, name);
      return { name, path, bytes: new Uint8Array(readFileSync(path)), rows: readTsv(`${path}.tshark.tsv`) };
    });
}

function readTsv(path: string): TsharkRow[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** What tshark found right after the link layer: 'ip', 'ipv6', 'arp', or another protocol name. */
export function networkLayer(row: TsharkRow): string {
  const layers = row['frame.protocols'].split(':');
  const i = layers.findIndex((p) => p === 'ip' || p === 'ipv6' || p === 'arp');
  return i < 0 ? layers[layers.length - 1] : layers[i];
}

/** First occurrence of a field (tshark lists repeated fields comma-separated, e.g. in ICMP errors). */
export function first(row: TsharkRow, field: string): string {
  return row[field].split(',')[0];
}

/** A tshark number field ('0x0012' or '42') as a number; null when absent. */
export function num(row: TsharkRow, field: string): number | null {
  const v = first(row, field);
  return v === '' ? null : Number(v);
}
