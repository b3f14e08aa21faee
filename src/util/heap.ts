// Indexed binary min-heap keyed by (deadline, seq): O(log n) insert, remove and re-key, no garbage per update.

/** An item that can sit in a `DeadlineHeap`; the heap maintains `heapIndex` (-1 when absent). */
export interface HeapItem {
  deadline: number;
  seq: number;
  heapIndex: number;
}

/** Min-heap of items ordered by deadline, then by seq (insertion order) for deterministic ties. */
export class DeadlineHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  /** Number of items in the heap. */
  get size(): number {
    return this.items.length;
  }

  /** The earliest item, or undefined. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Inserts `item` (which must not be in the heap). */
  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  /** Removes `item` if present. */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.items[i] !== item) return;
    const last = this.items.pop()!;
    item.heapIndex = -1;
    if (last !== item) {
      this.items[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
  }

  /** Restores order after `item`'s key changed (inserting it if absent). */
  update(item: T): void {
    if (item.heapIndex < 0 || this.items[item.heapIndex] !== item) return this.push(item);
    this.up(item.heapIndex);
    this.down(item.heapIndex);
  }

  private less(x: T, y: T): boolean {
    return x.deadline < y.deadline || (x.deadline === y.deadline && x.seq < y.seq);
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(item, items[p])) break;
      items[i] = items[p];
      items[i].heapIndex = i;
      i = p;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r], items[l]) ? r : l;
      if (!this.less(items[c], item)) break;
      items[i] = items[c];
      items[i].heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
