// What applying a revision changes, worked out before anything is written so that a spec that
// cannot be stored fails the apply up front.
import { compareKeys, describeKey, keyId, toColumns, toJson } from './rows.js';
import type { KeyColumns } from './rows.js';
import type { ResourceInput, SyncOperation } from './records.js';

export interface Current extends KeyColumns {
  spec: string;
  revision: string | null;
  origin: 'git' | 'system';
}

export interface Wanted extends KeyColumns {
  spec: string;
}

export interface RevisionDiff {
  creates: Wanted[];
  updates: Wanted[];
  deletes: KeyColumns[];
  /** Unchanged rows that came from elsewhere (another revision, or outside Git): they now come from this one. */
  restamps: KeyColumns[];
  /** Every change in key order: the sync events, one each. */
  changes: { operation: SyncOperation; key: KeyColumns }[];
}

export function diffRevision(current: Current[], desired: ResourceInput[], revision: string): RevisionDiff {
  const wanted = new Map<string, Wanted>();
  for (const resource of desired) {
    const key = toColumns(resource);
    const id = keyId(key);
    if (wanted.has(id)) throw new Error(`revision ${revision} lists ${describeKey(key)} twice`);
    wanted.set(id, { ...key, spec: toJson(resource.spec, `spec of ${describeKey(key)}`) });
  }
  const stored = new Map(current.map((row) => [keyId(row), row]));

  const diff: RevisionDiff = { creates: [], updates: [], deletes: [], restamps: [], changes: [] };
  for (const row of current) {
    if (!wanted.has(keyId(row))) diff.deletes.push(pickKey(row));
  }
  for (const [id, want] of wanted) {
    const row = stored.get(id);
    if (row === undefined) diff.creates.push(want);
    else if (row.spec !== want.spec) diff.updates.push(want);
    else if (row.revision !== revision || row.origin !== 'git') diff.restamps.push(pickKey(row));
  }
  const byKey = (a: KeyColumns, b: KeyColumns) => compareKeys(a, b);
  diff.creates.sort(byKey);
  diff.updates.sort(byKey);
  diff.deletes.sort(byKey);
  diff.changes = [
    ...diff.creates.map((key) => ({ operation: 'create' as const, key: pickKey(key) })),
    ...diff.updates.map((key) => ({ operation: 'update' as const, key: pickKey(key) })),
    ...diff.deletes.map((key) => ({ operation: 'delete' as const, key })),
  ].sort((a, b) => compareKeys(a.key, b.key));
  return diff;
}

export function pickKey(key: KeyColumns): KeyColumns {
  return { kind: key.kind, project: key.project, name: key.name, version: key.version };
}
