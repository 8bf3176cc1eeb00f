// Small helpers over parsed YAML/JSON data, shared by diffs and edits.

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Deep equality of data, ignoring key order (YAML mappings are unordered). */
export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => equalJson(v, b[i]));
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equalJson(a[k], b[k]));
  }
  return false;
}

const IDENTITY_FIELDS = ['name', 'key', 'mountPath'] as const;

/** The field that names every entry of the lists uniquely (`name`, `key` or `mountPath`), if one does. */
export function identityField(...lists: unknown[][]): string | undefined {
  for (const field of IDENTITY_FIELDS) {
    const ok = lists.every((list) => {
      const seen = new Set<unknown>();
      for (const item of list) {
        if (!isPlainObject(item)) return false;
        const id = item[field];
        if (typeof id !== 'string' || seen.has(id)) return false;
        seen.add(id);
      }
      return true;
    });
    if (ok) return field;
  }
  return undefined;
}
