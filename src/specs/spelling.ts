// The reference documents spell some fields two ways, and real repositories copy them. Both are
// accepted and renamed to one canonical spelling in memory, guided by the schema so that a key in an
// open map (a label, an env var name) is never renamed.
import type { DocPath } from './findings.js';
import { deref, type JsonSchema } from './factor-schema.js';

export const SPELLING_VARIANTS: Readonly<Record<string, string>> = {
  envvars: 'envVars',
  memoryLimitMB: 'memoryLimitMb',
  openTofu: 'opentofu',
  privateip: 'privateIP',
};

/** True when the text may hold a variant spelling; most files hold none and skip the walk. */
export const mayHoldVariants = (text: string): boolean => VARIANT_PATTERN.test(text);
const VARIANT_PATTERN = new RegExp(Object.keys(SPELLING_VARIANTS).join('|'));

/** Variants of each canonical name, for editor schemas that must accept both spellings. */
export const VARIANTS_OF: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const [variant, canonical] of Object.entries(SPELLING_VARIANTS)) {
    map.set(canonical, [...(map.get(canonical) ?? []), variant]);
  }
  return map;
})();


const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The simple `if` form our schemas use: `{ properties: { field: { const } } }`. */
function ifHolds(condition: JsonSchema, value: Record<string, unknown>): boolean {
  for (const [key, sub] of Object.entries(condition.properties ?? {})) {
    if ('const' in sub && value[key] !== sub.const) return false;
  }
  return true;
}

/** The properties a schema gives an object, including those of `then` branches that apply to it. */
export function propertiesFor(schema: JsonSchema, value: Record<string, unknown>): Record<string, JsonSchema> {
  const conditional = (schema.allOf ?? []).filter((s) => s.if && s.then?.properties && ifHolds(s.if, value));
  if (conditional.length === 0) return schema.properties ?? {};
  const merged: Record<string, JsonSchema> = { ...(schema.properties ?? {}) };
  for (const branch of conditional) {
    for (const [key, extra] of Object.entries(branch.then?.properties ?? {})) {
      // A branch may only add constraints (`required`) to a property the base schema already types.
      const base = merged[key];
      merged[key] = base ? { ...base, ...extra, properties: { ...base.properties, ...extra.properties } } : extra;
    }
  }
  return merged;
}

/** The schema of the value under `key`, whether it is a named property or an entry of a map. */
export function childSchema(props: Record<string, JsonSchema>, schema: JsonSchema, key: string): JsonSchema | undefined {
  const named = props[key];
  if (named) return named;
  if (isObject(schema.additionalProperties)) return schema.additionalProperties;
  const patterns = schema.patternProperties;
  if (patterns) return Object.values(patterns)[0];
  return undefined;
}

/** A variant spelling renamed in place, with where it was found (for messages and edits). */
export interface Rename {
  path: DocPath;
  from: string;
  to: string;
}

/**
 * Renames variant spellings to canonical ones where the schema knows the canonical field. Mutates
 * `value` (fresh parser output) and returns what it renamed. Shared nodes (YAML aliases) are
 * visited once.
 */
export function normalizeSpelling(value: unknown, schema: JsonSchema): Rename[] {
  const renames: Rename[] = [];
  const seen = new Set<object>();
  const walk = (node: unknown, referenced: JsonSchema, path: (string | number)[]): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    const nodeSchema = deref(referenced, schema);
    if (Array.isArray(node)) {
      if (nodeSchema.items) node.forEach((item, i) => walk(item, nodeSchema.items!, [...path, i]));
      return;
    }
    const obj = node as Record<string, unknown>;
    const props = propertiesFor(nodeSchema, obj);
    let needsRename = false;
    for (const key of Object.keys(obj)) {
      const canonical = SPELLING_VARIANTS[key];
      if (canonical && !(key in props) && canonical in props && !(canonical in obj)) needsRename = true;
    }
    if (needsRename) {
      // Rebuild to keep the key order of the source.
      const entries = Object.entries(obj);
      for (const [key] of entries) delete obj[key];
      for (const [key, v] of entries) {
        const canonical = SPELLING_VARIANTS[key];
        const renamed = canonical && !(key in props) && canonical in props && !entries.some(([k]) => k === canonical);
        // defineProperty, as the parser does: assigning a key named __proto__ would set the prototype.
        Object.defineProperty(obj, renamed ? canonical : key, { value: v, enumerable: true, writable: true, configurable: true });
        if (renamed) renames.push({ path: [...path, canonical], from: key, to: canonical });
      }
    }
    for (const [key, v] of Object.entries(obj)) {
      const sub = childSchema(props, nodeSchema, key);
      if (sub) walk(v, sub, [...path, key]);
    }
  };
  walk(value, schema, []);
  return renames;
}

/**
 * The inverse of normalizeSpelling for one file: `desired` (canonical) re-spelled wherever `raw`
 * (the file as written) uses a variant, so that an edit does not rename keys nobody changed.
 */
export function respell(desired: unknown, raw: unknown): unknown {
  if (Array.isArray(desired)) {
    return desired.map((item, i) => respell(item, Array.isArray(raw) ? raw[i] : undefined));
  }
  if (typeof desired !== 'object' || desired === null) return desired;
  const rawObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const variantFor = new Map<string, string>();
  for (const key of Object.keys(rawObject)) {
    const canonical = SPELLING_VARIANTS[key];
    if (canonical && !(canonical in rawObject)) variantFor.set(canonical, key);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    const spelled = variantFor.get(key) ?? key;
    Object.defineProperty(out, spelled, { value: respell(value, rawObject[spelled]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
