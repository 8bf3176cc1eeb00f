// Where secrets sit in a spec: one set of rules for every output that must not show them (plans,
// comments, bot pull requests, exports). A secret is the value of an entry marked sensitive (in the
// spec, or by the template an environment overrides: `sensitiveKeys`), a file's content, an image
// pull password, or an env var or header whose name says it is a credential.
import { formatPath, type DocPath } from '../specs/findings.js';
import { identityField, isPlainObject } from '../specs/json.js';

/** Names of env vars and headers whose values are credentials even when nothing marks them sensitive. */
export const SECRET_NAME = /secret|password|passwd|token|credential|private|auth|cookie|api[-_]?key|access[-_]?key/i;

const ENTRY_LISTS = new Set(['variables', 'envVars', 'envs', 'files']);

export type SecretReplacer = (value: unknown, path: DocPath) => unknown;

/** A copy of `data` with every secret replaced by what `replace` returns for it. */
export function mapSecrets(data: unknown, replace: SecretReplacer, sensitiveKeys: ReadonlySet<string> = new Set()): unknown {
  const walk = (node: unknown, path: (string | number)[], key: string | undefined, parentKey: string | undefined): unknown => {
    if (Array.isArray(node)) {
      if (key && ENTRY_LISTS.has(key) && parentKey === 'spec') {
        return node.map((entry, i) => mapEntry(entry, key, [...path, i]));
      }
      return node.map((item, i) => walk(item, [...path, i], undefined, key));
    }
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const at = [...path, k];
      const secret =
        (key === 'imagePullCredentials' && k === 'password') ||
        (key === 'files' && typeof v !== 'object') || // container files: name → content
        ((key === 'envVars' || key === 'headers') && SECRET_NAME.test(k) && typeof v !== 'object');
      out[k] = secret ? replace(v, at) : walk(v, at, k, key);
    }
    return out;
  };
  const mapEntry = (entry: unknown, list: string, path: (string | number)[]): unknown => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const e = entry as Record<string, unknown>;
    const category = list === 'variables' ? 'variable' : list === 'files' ? 'file' : 'environment variable';
    const key = String(e.name ?? e.key ?? e.mountPath);
    const sensitive =
      (e.options as { sensitive?: boolean } | undefined)?.sensitive === true ||
      sensitiveKeys.has(`${category}\u0000${key}`) ||
      (category === 'environment variable' && SECRET_NAME.test(key));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      out[k] = k === 'data' || (k === 'value' && sensitive) ? replace(v, [...path, k]) : walk(v, [...path, k], k, list);
    }
    return out;
  };
  return walk(data, [], undefined, undefined);
}

/** In Git, a secret the system keeps is written as this reference instead of its value. */
export const SEALED_PREFIX = 'sealed://';

export const sealedReference = (spec: { kind: string; project: string; name: string }, path: DocPath) =>
  `${SEALED_PREFIX}${spec.kind}/${spec.project}/${spec.name}/${formatPath(path)}`;

/** The value at `path` of `target`, where `path` indexes `source`: list entries are followed by name. */
export function valueAt(target: unknown, source: unknown, path: DocPath): unknown {
  let t = target;
  let s = source;
  for (const segment of path) {
    if (typeof segment === 'number' && Array.isArray(t) && Array.isArray(s)) {
      const id = identityField(s);
      const wanted = id ? (s[segment] as Record<string, unknown>)[id] : undefined;
      t = id ? t.find((e) => isPlainObject(e) && e[id] === wanted) : t[segment];
      s = s[segment];
    } else if (isPlainObject(t) && isPlainObject(s)) {
      t = t[segment];
      s = s[segment];
    } else {
      return undefined;
    }
  }
  return t;
}

/**
 * Git's document with every `sealed://` reference replaced by the value the system holds there: a
 * merged bot pull request must not overwrite a secret with the reference that stands for it.
 */
export function unsealFrom(gitDocument: unknown, systemDocument: unknown): unknown {
  // Any sealed value, wherever it is: an environment's override may be secret only by its template.
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') return node.startsWith(SEALED_PREFIX) ? (valueAt(systemDocument, gitDocument, path) ?? node) : node;
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    return node;
  };
  return walk(gitDocument, []);
}
