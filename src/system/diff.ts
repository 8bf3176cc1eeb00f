// What applying a revision changes, worked out before anything is written so that a spec that
// cannot be stored fails the apply up front.
import { diffValues } from '../engine/plan/diff.js';
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
  /** Every change in key order: the sync events, one each; an update with the fields it changed (a JSON list). */
  changes: { operation: SyncOperation; key: KeyColumns; fields: string | null }[];
}

/** The most field paths an event records: a change of more fields is a rewrite, and its first ones say what. */
export const FIELDS_RECORDED = 100;

/** The paths of the fields that differ between two stored specs (as JSON), never their values, as a JSON list for the event. */
export function changedFields(before: string, after: string): string {
  const paths = diffValues(JSON.parse(before), JSON.parse(after)).map((f) => f.path);
  return JSON.stringify(paths.slice(0, FIELDS_RECORDED));
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
  const before = new Map<string, string>();
  for (const row of current) {
    if (!wanted.has(keyId(row))) diff.deletes.push(pickKey(row));
  }
  for (const [id, want] of wanted) {
    const row = stored.get(id);
    if (row === undefined) diff.creates.push(want);
    else if (row.spec !== want.spec) {
      diff.updates.push(want);
      before.set(id, row.spec);
    }
    else if (row.revision !== revision || row.origin !== 'git') diff.restamps.push(pickKey(row));
  }
  const byKey = (a: KeyColumns, b: KeyColumns) => compareKeys(a, b);
  diff.creates.sort(byKey);
  diff.updates.sort(byKey);
  diff.deletes.sort(byKey);
  diff.changes = [
    ...diff.creates.map((key) => ({ operation: 'create' as const, key: pickKey(key), fields: null })),
    ...diff.updates.map((want) => ({ operation: 'update' as const, key: pickKey(want), fields: changedFields(before.get(keyId(want))!, want.spec) })),
    ...diff.deletes.map((key) => ({ operation: 'delete' as const, key, fields: null })),
  ].sort((a, b) => compareKeys(a.key, b.key));
  return diff;
}

export function pickKey(key: KeyColumns): KeyColumns {
  return { kind: key.kind, project: key.project, name: key.name, version: key.version };
}
