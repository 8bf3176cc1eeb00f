// What every repository rule receives.
import type { LoadedSpec } from '../../specs/load.js';
import type { PendingFinding } from '../../specs/findings.js';
import type { SpecIndex } from '../spec-index.js';

export interface RuleContext {
  index: SpecIndex;
  /** Specs whose shape passed the schema: rules may trust their types. */
  valid: readonly LoadedSpec[];
}

export type Rule = (context: RuleContext) => PendingFinding[];

/** Indexes of entries whose key already appeared earlier in the list. */
export function laterDuplicates<T>(items: readonly T[], keyOf: (item: T) => string | undefined): { index: number; first: number; key: string }[] {
  // Lists in specs are short: comparing pairs beats building a Map for each of thousands of lists.
  if (items.length <= 16) {
    const out: { index: number; first: number; key: string }[] = [];
    for (let index = 1; index < items.length; index++) {
      const key = keyOf(items[index]!);
      if (key === undefined) continue;
      for (let first = 0; first < index; first++) {
        if (keyOf(items[first]!) === key) {
          out.push({ index, first, key });
          break;
        }
      }
    }
    return out;
  }
  const firstSeen = new Map<string, number>();
  const out: { index: number; first: number; key: string }[] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const first = firstSeen.get(key);
    if (first === undefined) firstSeen.set(key, index);
    else out.push({ index, first, key });
  });
  return out;
}
