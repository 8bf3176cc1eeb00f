// Where secrets sit in a spec: one set of rules for every output that must not show them (plans,
// comments, bot pull requests, exports). A secret is the value of an entry marked sensitive (in the
// spec, or by the template an environment overrides: `sensitiveKeys`), a file's content, an image
// pull password, or an env var or header whose name says it is a credential.
import { formatPath, type DocPath } from '../specs/findings.js';
import { identityField, isPlainObject } from '../specs/json.js';

/** Names of env vars and headers whose values are credentials even when nothing marks them sensitive. */
export const SECRET_NAME = /secret|password|passwd|token|credential|private|auth|cookie|api[-_]?key|access[-_]?key|webhook|dsn|connection[-_]?string/i;

/** A URL that carries a user and password (`postgres://admin:pw@host`): a credential wherever it is. */
const URL_WITH_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Every entry of an environment is secret: its template could not be read to tell which are. */
export const ALL_SENSITIVE = '*';

const ENTRY_LISTS = new Set(['variables', 'envVars', 'envs', 'files']);

export type EntryCategory = 'variable' | 'environment variable' | 'file';

/**
 * Whether an entry's value is secret: marked sensitive, declared so by the template (`sensitiveKeys`,
 * `category\0key`), a file's content, or a value whose name says it is a credential.
 */
export function isSecretEntry(category: EntryCategory, key: string, options: { sensitive?: boolean } | undefined, sensitiveKeys: ReadonlySet<string> = new Set()): boolean {
  return (
    options?.sensitive === true ||
    sensitiveKeys.has(ALL_SENSITIVE) ||
    sensitiveKeys.has(`${category}\u0000${key}`) ||
    category === 'file' ||
    SECRET_NAME.test(key)
  );
}

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
        (key === 'kubeConfigOptions' && k === 'kubeConfig') ||
        (key === 'files' && typeof v !== 'object') || // container files: name → content
        ((key === 'envVars' || key === 'headers') && SECRET_NAME.test(k) && typeof v !== 'object') ||
        (typeof v === 'string' && URL_WITH_CREDENTIALS.test(v));
      out[k] = secret ? replace(v, at) : walk(v, at, k, key);
    }
    return out;
  };
  const mapEntry = (entry: unknown, list: string, path: (string | number)[]): unknown => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const e = entry as Record<string, unknown>;
    const category = list === 'variables' ? 'variable' : list === 'files' ? 'file' : 'environment variable';
    const key = String(e.name ?? e.key ?? e.mountPath);
    const sensitive = isSecretEntry(category, key, e.options as { sensitive?: boolean } | undefined, sensitiveKeys);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      out[k] = k === 'data' || (k === 'value' && (sensitive || (typeof v === 'string' && URL_WITH_CREDENTIALS.test(v)))) ? replace(v, [...path, k]) : walk(v, [...path, k], k, list);
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
 * Git's document with each `sealed://` reference replaced by the value the system holds there: a
 * merged bot pull request must not overwrite a secret with the reference that stands for it. Only
 * where the place is still a secret: a change that drops `sensitive` does not unseal the value into
 * an entry anyone may read (the reference stays as it is).
 */
export function unsealFrom(gitDocument: unknown, systemDocument: unknown, sensitiveKeys: ReadonlySet<string> = new Set()): unknown {
  return mapSecrets(
    gitDocument,
    (value, path) => (typeof value === 'string' && value.startsWith(SEALED_PREFIX) ? (valueAt(systemDocument, gitDocument, path) ?? value) : value),
    sensitiveKeys,
  );
}
