// Where secrets sit in a spec: one set of rules for every output that must not show them (plans,
// comments, bot pull requests, exports). A secret is the value of an entry marked sensitive (in the
// spec, or by the template an environment overrides: `sensitiveKeys`), a file's content, an image
// pull password, or an env var or header whose name says it is a credential.
import type { DocPath } from '../specs/findings.js';

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
