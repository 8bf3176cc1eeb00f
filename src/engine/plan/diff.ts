// Field-level differences between two (masked) spec documents, with readable paths:
// `spec.variables[name=replicas].value`, matching list entries by name rather than position.
import { Masked } from './mask.js';
import { identityField } from '../../specs/json.js';

export interface FieldChange {
  path: string;
  /** Absent when the field is added. */
  before?: unknown;
  /** Absent when the field is removed. */
  after?: unknown;
  /** The value is secret: only the fact that it changed is shown. */
  sensitive?: true;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Masked);

export function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Masked) return a.sameAs(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => equalValues(v, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equalValues(a[k], b[k]));
  }
  return false;
}

const joinPath = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function leaf(path: string, before: unknown, after: unknown): FieldChange {
  if (before instanceof Masked || after instanceof Masked) return { path, sensitive: true };
  return { path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (equalValues(before, after)) return [];
  // A list that appears or disappears whole is compared with an empty one, entry by entry, so that
  // every field inside (a secret among them) is shown, or masked, on its own.
  if (Array.isArray(after) && before === undefined) return diffValues([], after, path);
  if (Array.isArray(before) && after === undefined) return diffValues(before, [], path);
  if (isObject(before) && isObject(after)) {
    const changes: FieldChange[] = [];
    for (const key of Object.keys(after)) changes.push(...diffValues(before[key], after[key], joinPath(path, key)));
    for (const key of Object.keys(before)) if (!(key in after)) changes.push(...diffValues(before[key], undefined, joinPath(path, key)));
    return changes;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const id = identityField(before, after);
    if (id) {
      const byId = (list: unknown[]) => new Map(list.map((item) => [(item as Record<string, string>)[id]!, item]));
      const was = byId(before);
      const now = byId(after);
      const changes: FieldChange[] = [];
      for (const [name, item] of now) changes.push(...diffValues(was.get(name), item, `${path}[${id}=${name}]`));
      for (const [name, item] of was) if (!now.has(name)) changes.push(...diffValues(item, undefined, `${path}[${id}=${name}]`));
      // Same entries in another order is a change too (hooks and resources run in list order).
      const kept = (ids: Iterable<string>, other: Map<string, unknown>) => [...ids].filter((k) => other.has(k));
      const wasOrder = kept(was.keys(), now);
      const nowOrder = kept(now.keys(), was);
      if (wasOrder.some((k, i) => k !== nowOrder[i])) changes.push(leaf(`${path} (order)`, [...was.keys()], [...now.keys()]));
      return changes;
    }
    if (before.every((v) => !isObject(v) && !Array.isArray(v)) && after.every((v) => !isObject(v) && !Array.isArray(v))) {
      return [leaf(path, before.length ? before : undefined, after.length ? after : undefined)];
    }
    const changes: FieldChange[] = [];
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) changes.push(...diffValues(before[i], after[i], `${path}[${i}]`));
    return changes;
  }
  // A whole entry added or removed: list its fields, each masked where it must be.
  if (isObject(after) && before === undefined) return Object.keys(after).flatMap((k) => diffValues(undefined, after[k], joinPath(path, k)));
  if (isObject(before) && after === undefined) return Object.keys(before).flatMap((k) => diffValues(before[k], undefined, joinPath(path, k)));
  return [leaf(path, before, after)];
}
