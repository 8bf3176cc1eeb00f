// Sensitive values are replaced before anything is compared or rendered, so no later step can print
// them. A masked value keeps a digest, compared only here and there to say whether it changed; the
// digest itself never reaches an output (toJSON hides it).
import { createHash } from 'node:crypto';

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

/** Names of env vars and headers whose values are credentials even when nothing marks them sensitive. */
const SECRET_NAME = /secret|password|passwd|token|credential|private|auth|cookie|api[-_]?key|access[-_]?key/i;

const ENTRY_LISTS = new Set(['variables', 'envVars', 'envs', 'files']);

/**
 * A copy of a spec's data with every secret masked: values of entries marked sensitive (here or, via
 * `sensitiveKeys`, by the template an environment overrides), file contents, pull passwords, and
 * env vars and headers whose names say they hold credentials.
 */
export function maskSecrets(data: unknown, sensitiveKeys: ReadonlySet<string> = new Set()): unknown {
  const walk = (node: unknown, key: string | undefined, parentKey: string | undefined): unknown => {
    if (Array.isArray(node)) {
      if (key && ENTRY_LISTS.has(key) && parentKey === 'spec') return node.map((entry) => maskEntry(entry, key, sensitiveKeys, walk));
      return node.map((item) => walk(item, undefined, key));
    }
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (key === 'imagePullCredentials' && k === 'password') out[k] = mask(v);
      else if (key === 'files' && typeof v !== 'object') out[k] = mask(v); // container files: name → content
      else if ((key === 'envVars' || key === 'headers') && SECRET_NAME.test(k) && typeof v !== 'object') out[k] = mask(v);
      else out[k] = walk(v, k, key);
    }
    return out;
  };
  return walk(data, undefined, undefined);
}

type Walk = (node: unknown, key: string | undefined, parentKey: string | undefined) => unknown;

function maskEntry(entry: unknown, list: string, sensitiveKeys: ReadonlySet<string>, walk: Walk): unknown {
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
    if (k === 'data' || (k === 'value' && sensitive)) out[k] = mask(v);
    else out[k] = walk(v, k, list);
  }
  return out;
}
