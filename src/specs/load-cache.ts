// Loaded files by content: a file whose bytes another revision had is not parsed again. The key is
// the file's git blob id (what GitHub's APIs name a file's content by), its path and the layout
// root, which is all loading depends on (see loadFile). Bounded: the least recently used files go
// first once the estimated size passes the limit.
import { createHash } from 'node:crypto';
import type { FileLoad } from './load.js';

/** Git's id of a file's content: the SHA-1 of `blob <size>\0` and the bytes. */
export function gitBlobId(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * A loaded spec takes about four times its file's bytes in memory (the parsed document, its
 * strings, the bytes themselves): measured on the generated 10,000-spec repository (15 MB of files,
 * 53 MB of heap and buffers once loaded).
 */
const BYTES_PER_SOURCE_BYTE = 4;

export class LoadCache {
  private readonly entries = new Map<string, { load: FileLoad; weight: number }>();
  private weight = 0;

  constructor(private readonly maxBytes: number) {}

  static key(root: string, path: string, blob: string): string {
    return `${root}\u0000${path}\u0000${blob}`;
  }

  get(key: string): FileLoad | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: moved to the end, it is the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.load;
  }

  set(key: string, load: FileLoad, size: number): void {
    const weight = size * BYTES_PER_SOURCE_BYTE + 512;
    const old = this.entries.get(key);
    if (old) this.weight -= old.weight;
    this.entries.delete(key);
    this.entries.set(key, { load, weight });
    this.weight += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.weight <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.weight -= entry.weight;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
