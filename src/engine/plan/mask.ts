// Sensitive values are replaced before anything is compared or rendered, so no later step can print
// them. A masked value keeps a digest, compared only here and there to say whether it changed; the
// digest itself never reaches an output (toJSON hides it).
import { createHash } from 'node:crypto';
import { mapSecrets } from '../secrets.js';

export class Masked {
  // A true private field: not a property, so no inspection or serialization of a plan shows it.
  readonly #digest: string;
  constructor(digest: string) {
    this.#digest = digest;
  }
  sameAs(other: unknown): boolean {
    return other instanceof Masked && other.#digest === this.#digest;
  }
  toJSON(): string {
    return '(sensitive)';
  }
}

const mask = (value: unknown): Masked => new Masked(createHash('sha256').update(JSON.stringify(value) ?? 'undefined').digest('hex'));

/** A copy of a spec's data with every secret (see secrets.ts) masked. */
export function maskSecrets(data: unknown, sensitiveKeys: ReadonlySet<string> = new Set()): unknown {
  return mapSecrets(data, mask, sensitiveKeys);
}
