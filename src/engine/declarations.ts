// The variables, environment variables and files a template offers to its environments, with the
// options that say whether and how an environment may override them.
import type { Static } from '@sinclair/typebox';
import type { DocPath } from '../specs/findings.js';
import type { ValueOptions } from '../specs/schema/common.js';
import type { LoadedSpec } from '../specs/load.js';
import type { SpecIndex } from './spec-index.js';
import { ALL_SENSITIVE, carriesCredentials, isSecretEntry, sensitiveNamePatterns } from './secrets.js';

export type Options = Static<typeof ValueOptions>;
export type Category = 'variable' | 'environment variable' | 'file';

export interface Entry {
  /** category and key together: what an environment's entry overrides. */
  id: string;
  category: Category;
  key: string;
  /** The field that holds the key: name, key or mountPath. */
  keyField: 'name' | 'key' | 'mountPath';
  value: unknown;
  valueType?: string;
  options?: Options;
  file: string;
  /** The list (`variables`, `envVars`, `envs`, `files`) and index: `at(entry, ...)` builds a path. */
  field: string;
  index: number;
  /** How a message names where the entry is declared. */
  owner: string;
}

/** Path of an entry, or of a field inside it; built only for findings. */
export const at = (entry: Entry, ...rest: string[]): DocPath => ['spec', entry.field, entry.index, ...rest];

interface RawEntry {
  name?: string;
  key?: string;
  mountPath?: string;
  value?: unknown;
  valueType?: string;
  data?: string;
  options?: Options;
}

const LISTS: { field: string; category: Category }[] = [
  { field: 'variables', category: 'variable' },
  { field: 'envVars', category: 'environment variable' },
  { field: 'envs', category: 'environment variable' },
  { field: 'files', category: 'file' },
];

const entriesCache = new WeakMap<LoadedSpec, Entry[]>();

/** The entries a spec holds itself (variables, envVars or envs, files); computed once per spec. */
export function entriesOf(spec: LoadedSpec): Entry[] {
  let entries = entriesCache.get(spec);
  if (!entries) entriesCache.set(spec, (entries = collectEntries(spec)));
  return entries;
}

function collectEntries(spec: LoadedSpec): Entry[] {
  const s = (spec.data.spec ?? {}) as Record<string, unknown>;
  const owner = `${spec.kind.kind} "${spec.name}"`;
  const entries: Entry[] = [];
  for (const { field, category } of LISTS) {
    const list = s[field];
    if (!Array.isArray(list)) continue;
    (list as RawEntry[]).forEach((raw, i) => {
      const keyField = category === 'file' ? (raw.name !== undefined ? 'name' : 'mountPath') : category === 'variable' ? 'name' : 'key';
      const key = raw[keyField];
      if (key === undefined) return;
      // One object shape for every entry (no conditional spreads): this runs for every value of
      // every spec in the repository.
      entries.push({
        id: entryId({ category, key }),
        category,
        key,
        keyField,
        value: category === 'file' ? raw.data : raw.value,
        valueType: raw.valueType,
        options: raw.options,
        file: spec.file,
        field,
        index: i,
        owner,
      });
    });
  }
  return entries;
}

export const entryId = (e: { category: Category; key: string }) => `${e.category}\u0000${e.key}`;

/**
 * What an environment template declares, its own entries first, then those of its config contexts
 * (in the order listed) for keys the template does not declare itself.
 */
export function templateDeclarations(template: LoadedSpec, index: SpecIndex): Map<string, Entry> {
  let cached = declarationsCache.get(index)?.get(template);
  if (!cached) {
    cached = collectDeclarations(template, index);
    if (!declarationsCache.has(index)) declarationsCache.set(index, new WeakMap());
    declarationsCache.get(index)!.set(template, cached);
  }
  return cached;
}

// Many environments share a template: its declarations are collected once per index.
const declarationsCache = new WeakMap<SpecIndex, WeakMap<LoadedSpec, Map<string, Entry>>>();

function collectDeclarations(template: LoadedSpec, index: SpecIndex): Map<string, Entry> {
  const declared = new Map<string, Entry>();
  for (const entry of entriesOf(template)) if (!declared.has(entry.id)) declared.set(entry.id, entry);
  const contexts = (template.data.spec as { contexts?: { name: string }[] }).contexts ?? [];
  for (const { name } of contexts) {
    const resolution = index.resolve('ConfigContext', name, template.project);
    if (resolution.status !== 'found') continue;
    for (const entry of entriesOf(resolution.spec)) if (!declared.has(entry.id)) declared.set(entry.id, entry);
  }
  return declared;
}

/**
 * The entries (`category\0key`) of an environment that its template and contexts declare sensitive:
 * the environment's own value for them is a secret too. Read from the environment's data even when
 * it is invalid; when its template cannot be found, every entry counts as secret (ALL_SENSITIVE).
 * `names`: the repository's own credential names (`sensitive.names` of `.github/envsync.yml`), which
 * hold for every kind.
 */
export function sensitiveKeysOf(spec: LoadedSpec, index: SpecIndex, names: readonly string[] = []): Set<string> {
  const patterns = sensitiveNamePatterns(names);
  if (spec.kind.kind !== 'Environment') return new Set(patterns);
  const template = (spec.data.spec as { template?: { name?: unknown; version?: unknown } } | undefined)?.template;
  const name = typeof template?.name === 'string' ? template.name : undefined;
  const version = typeof template?.version === 'string' ? template.version : undefined;
  const resolution = name ? index.resolve('EnvironmentTemplate', name, spec.project, version) : undefined;
  if (resolution?.status !== 'found') return new Set([ALL_SENSITIVE]);
  const declared = [...templateDeclarations(resolution.spec, index).values()].filter((d) => d.options?.sensitive).map((d) => d.id);
  return new Set([...declared, ...patterns]);
}

export const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === '';

/**
 * How an entry's value appears in a message: never in clear when it is a secret (see secrets.ts),
 * nor when it is a URL with a password in it, whatever the entry's name (`DATABASE_URL`).
 */
export const shown = (entry: Pick<Entry, 'category' | 'key' | 'value'>, options: Options | undefined): string =>
  isSecretEntry(entry.category, entry.key, options) || carriesCredentials(entry.value) ? '(sensitive value)' : JSON.stringify(entry.value);
