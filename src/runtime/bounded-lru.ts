// A map with a cap on entries and on their age since last write: the runtime keeps tasks and
// conversations in memory, and an agent that serves for weeks must not grow without bound.
// Oldest-written entries go first (a Map iterates in insertion order; a write re-inserts).

export interface BoundedLruOptions {
  maxEntries: number;
  /** Entries not written for this long are dropped; 0 keeps them until evicted by count. */
  maxAgeMs: number;
  now?: () => number;
  /** Told of every entry dropped, for metrics. */
  onEvict?: (reason: 'count' | 'age') => void;
}

export class BoundedLru<K, V> {
  private readonly entries = new Map<K, { value: V; writtenAt: number }>();

  private readonly now: () => number;

  constructor(private readonly options: BoundedLruOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Live entries: expired ones are dropped first, so a gauge of this never counts them. */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.expired(entry.writtenAt)) {
      this.entries.delete(key);
      this.options.onEvict?.('age');
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, writtenAt: this.now() });
    this.sweep();
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Live values, oldest first. */
  values(): V[] {
    this.sweep();
    return [...this.entries.values()].map((e) => e.value);
  }

  private sweep(): void {
    for (const [key, entry] of this.entries) {
      if (!this.expired(entry.writtenAt)) break; // the rest were written later
      this.entries.delete(key);
      this.options.onEvict?.('age');
    }
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
      this.options.onEvict?.('count');
    }
  }

  private expired(writtenAt: number): boolean {
    return this.options.maxAgeMs > 0 && this.now() - writtenAt > this.options.maxAgeMs;
  }
}
