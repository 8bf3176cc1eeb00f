// Where secrets sit in a spec: one set of rules for every output that must not show them (plans,
// comments, bot pull requests, exports). A secret is the value of an entry marked sensitive (in the
// spec, or by the template an environment overrides: `sensitiveKeys`), a file's content, an image
// pull password, or an env var or header whose name says it is a credential.
import type { DocPath } from '../specs/findings.js';
import { identityField, isPlainObject } from '../specs/json.js';

/**
 * Words that make a name a credential's when one of the name's segments is that word: `DB_PASS`,
 * `dbPassword`, `X-Api-Key`, `SSL_CERT`. Whole segments, not substrings, so that `KEYBOARD_LAYOUT`,
 * `MONKEY`, `AUTHOR` and `PASSAGE` stay plain. Erring towards masking is cheap (a reviewer sees
 * "(sensitive)"), printing a password is not: `SESSION_TIMEOUT` or `PUBLIC_KEY` are masked too.
 */
const CREDENTIAL_SEGMENTS = new Set([
  'pass', 'passwd', 'password', 'passphrase', 'pwd',
  'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'cred', 'creds',
  'key', 'keys', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'privkey', 'private',
  'cert', 'certs', 'certificate', 'pem',
  'auth', 'authorization', 'authentication', 'authkey', 'bearer', 'jwt', 'hmac',
  'dsn', 'salt', 'signature', 'cookie', 'cookies', 'session', 'webhook', 'connectionstring',
]);

/**
 * Words long enough to be recognized at the end of a segment written without separators
 * (`dbpassword`, `apitoken`, `mysecret`); short ones (`pass`, `key`) would catch `bypass`, `monkey`.
 */
const CREDENTIAL_SUFFIXES = ['password', 'passwd', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'signature', 'auth', 'authkey', 'authentication', 'webhook', 'dsn', 'cookie'];

/** The words of a name, lowercased: split at anything but letters and digits, at camelCase humps and at digits. */
export function nameSegments(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((s) => s.toLowerCase());
}

const NONE: ReadonlySet<string> = new Set();

const isCredentialSegment = (segment: string): boolean => CREDENTIAL_SEGMENTS.has(segment) || CREDENTIAL_SUFFIXES.some((w) => segment.endsWith(w));

/**
 * Whether a variable's, env var's or header's name says its value is a credential, by envsync's own
 * words or by a pattern of `.github/envsync.yml` (`sensitive.names`) carried in `sensitiveKeys`.
 */
export function isCredentialName(name: string, sensitiveKeys: ReadonlySet<string> = NONE): boolean {
  const segments = nameSegments(name);
  if (segments.some(isCredentialSegment)) return true;
  // `CONNECTION_STRING`: two plain words that mean a credential only together.
  if (segments.some((s, i) => s === 'connection' && segments[i + 1] === 'string')) return true;
  return matchesNamePattern(name, sensitiveKeys);
}

/**
 * In a set of sensitive keys, a member that marks every name matching a glob (`*` any characters,
 * `?` one, case-insensitive): how the patterns of `.github/envsync.yml` travel with the keys a
 * template declares sensitive, through every output that masks secrets.
 */
const NAME_PATTERN = 'name\u0000';

/** The members of a set of sensitive keys that stand for `globs`. */
export const sensitiveNamePatterns = (globs: readonly string[]): string[] => globs.map((glob) => `${NAME_PATTERN}${glob}`);

const compiledGlobs = new Map<string, RegExp>();

function globRegExp(glob: string): RegExp {
  let re = compiledGlobs.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    compiledGlobs.set(glob, (re = new RegExp(`^${body}$`, 'i')));
  }
  return re;
}

function matchesNamePattern(name: string, sensitiveKeys: ReadonlySet<string>): boolean {
  for (const member of sensitiveKeys) {
    if (member.startsWith(NAME_PATTERN) && globRegExp(member.slice(NAME_PATTERN.length)).test(name)) return true;
  }
  return false;
}

/** A URL that carries a user and password (`postgres://admin:pw@host`): a credential wherever it is. */
const URL_WITH_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Whether a value is a URL that carries a user and password, whatever the name it is stored under. */
export const carriesCredentials = (value: unknown): boolean => typeof value === 'string' && URL_WITH_CREDENTIALS.test(value);

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
    isCredentialName(key, sensitiveKeys)
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
        ((key === 'envVars' || key === 'headers') && isCredentialName(k, sensitiveKeys) && typeof v !== 'object') ||
        carriesCredentials(v);
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
      out[k] = k === 'data' || (k === 'value' && (sensitive || carriesCredentials(v))) ? replace(v, [...path, k]) : walk(v, [...path, k], k, list);
    }
    return out;
  };
  return walk(data, [], undefined, undefined);
}

/** In Git, a secret the system keeps is written as this reference instead of its value. */
export const SEALED_PREFIX = 'sealed://';

/**
 * The reference to the secret at `path` of `document` (the spec as the system holds it): the spec with
 * its version, and the place with list entries by name (`spec.variables[db_password].value`), so that
 * it names the same place whatever entries Git adds, removes or reorders around it later.
 */
export const sealedReference = (spec: { kind: string; project: string; name: string; version?: string }, document: unknown, path: DocPath) =>
  `${SEALED_PREFIX}${spec.kind}/${spec.project}/${spec.name}${spec.version !== undefined ? `@${spec.version}` : ''}/${namedPath(document, path)}`;

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

/** What a read of the system shows in place of a secret. */
export const MASK = '(sensitive)';

/** `spec.variables[DB_PASS].value`: a path as a reader finds it, list entries named where they have names. */
export function namedPath(document: unknown, path: DocPath): string {
  let node = document;
  let out = '';
  for (const segment of path) {
    const list = Array.isArray(node) ? node : undefined;
    node = list ? list[segment as number] : isPlainObject(node) ? node[segment] : undefined;
    const id = list && identityField(list);
    if (typeof segment === 'number') out += `[${id ? String((node as Record<string, unknown>)[id]) : segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? 'the document' : out;
}

/** A place where a document sends the mask back and what the system holds cannot stand in for it. */
export interface UnresolvedMask {
  path: DocPath;
  /** `held`: the system holds no secret there; `not-secret`: the place is not a secret in the document sent. */
  reason: 'held' | 'not-secret';
}

/** Every place of `document` whose value is the mask. */
function masksIn(document: unknown): DocPath[] {
  const found: DocPath[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (node === MASK) found.push(path);
    else if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i]));
    else if (isPlainObject(node)) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(document, []);
  return found;
}

/**
 * A document sent back after a read, with each mask replaced by the secret the system holds at the
 * same place (list entries followed by name): a client that changes one field and sends the rest back
 * keeps the secrets. A mask the system cannot stand in for is `unresolved`: where it holds no secret
 * (or holds the mask itself), and where the document sent no longer makes the place a secret (the held
 * value would become readable there).
 */
export function unmaskFrom(sent: unknown, held: unknown, sensitiveKeys: ReadonlySet<string> = new Set()): { document: unknown; unresolved: UnresolvedMask[] } {
  const unresolved: UnresolvedMask[] = [];
  const secretPlaces = new Set<string>();
  const document = mapSecrets(
    sent,
    (value, path) => {
      secretPlaces.add(JSON.stringify(path));
      if (value !== MASK) return value;
      const kept = valueAt(held, sent, path);
      if (kept === undefined || kept === MASK) unresolved.push({ path, reason: 'held' });
      return kept ?? value;
    },
    sensitiveKeys,
  );
  for (const path of masksIn(sent)) {
    if (secretPlaces.has(JSON.stringify(path))) continue;
    // A URL with a password is masked wherever it stands, whatever its name: sent back masked, it is
    // no URL any more, yet the one held stays as secret as it was.
    const kept = valueAt(held, sent, path);
    if (carriesCredentials(kept)) setAt(document, path, kept);
    else unresolved.push({ path, reason: 'not-secret' });
  }
  return { document, unresolved };
}

/** Sets the value at `path` of a document (fresh output of mapSecrets, so ours to change). */
function setAt(document: unknown, path: DocPath, value: unknown): void {
  let node = document as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
}
