// System-to-Git: the file changes that make a checkout hold the system's specs. Existing files are
// edited in place (comment-preserving), new specs get their layout path, specs the system no longer
// has are deleted, and a project new to Git gets a `.gitkeep`. Secrets are never written in clear.
import { parse as parseYaml, stringify } from 'yaml';
import { editYaml } from '../specs/edit-yaml.js';
import { formatPath } from '../specs/findings.js';
import { equalJson } from '../specs/json.js';
import { KIND_BY_NAME, type KindName } from '../specs/kinds.js';
import { loadDocuments, type LoadResult, type LoadedSpec } from '../specs/load.js';
import { respell } from '../specs/spelling.js';
import { byPath } from '../specs/source.js';
import { ALL_SENSITIVE, mapSecrets, SEALED_PREFIX, sealedReference, sensitiveNamePatterns, valueAt } from './secrets.js';
import { sensitiveKeysOf } from './declarations.js';
import { diffValues, type FieldChange } from './plan/diff.js';
import { maskSecrets } from './plan/mask.js';
import { SpecIndex } from './spec-index.js';
import { layoutPathOf, layoutRoot, uniquePathOf } from '../specs/layout.js';
import { RESOURCE_NAME, VERSION } from '../specs/schema/common.js';
import { specKey } from './plan/changes.js';

export interface SystemSpec {
  kind: string;
  project: string;
  name: string;
  version?: string;
  /** The whole document: apiVersion, kind, metadata, spec (a `status` is dropped). */
  document: Record<string, unknown>;
}

export interface ExportOptions {
  /** Layout root inside the checkout ('' for the checkout itself). */
  root?: string;
  /**
   * What a secret that differs from Git becomes: `seal` writes a `sealed://` reference (the system
   * keeps the value); `keep` leaves Git's value (a new secret is sealed all the same).
   */
  secrets?: 'seal' | 'keep' | ((project: string) => 'seal' | 'keep');
  /** Kinds to export (all by default) and kinds to leave alone. */
  include?: readonly string[];
  exclude?: readonly string[];
  /** Finer scope, per project (the repository configuration's): false leaves the spec alone. */
  scope?: (kind: string, project: string) => boolean;
  /** Names the repository configuration declares sensitive (`sensitive.names`): never shown among the changed fields. */
  sensitiveNames?: readonly string[];
}

/**
 * A field a file change changes, Git's document against the one written. A secret's (`sensitive`)
 * carries no value, only what each side holds there: a value, a `sealed://` reference, or nothing.
 */
export interface ExportField extends FieldChange {
  secret?: { before?: 'value' | 'sealed'; after?: 'value' | 'sealed' };
}

export interface FileChange {
  path: string;
  /** The new content, or null to delete the file. */
  content: string | null;
  /** The spec the file holds, and what happened to it (none for a `.gitkeep`). */
  resource?: { kind: string; project: string; name: string; version?: string; operation: 'Create' | 'Update' | 'Delete' };
  /** What the change does to the spec's fields (every field of a spec created or deleted). */
  fields?: ExportField[];
}

export interface SecretNote {
  file: string;
  path: string;
  outcome: 'sealed' | 'kept';
}

export interface ExportPlan {
  files: FileChange[];
  secrets: SecretNote[];
  /** Files written anew because an in-place edit could not express the change. */
  rewritten: string[];
}


const identity = (s: SystemSpec) => ({ kind: s.kind, project: s.project, name: s.name, ...(s.version !== undefined ? { version: s.version } : {}) });

/** What a secret's place holds, for the shape of a document: its kind of value, never the value. */
const SEALED_SHAPE = '\u0000sealed';
const VALUE_SHAPE = '\u0000value';

/**
 * The fields between Git's document and the one written (either absent for a spec created or
 * deleted), with every secret masked by `keys`. What a secret's place holds on each side comes from
 * the same differ over the documents' shapes: each secret replaced by whether it is a reference.
 */
function fieldsBetween(git: unknown, written: unknown, keys: ReadonlySet<string>): ExportField[] {
  const masked = (doc: unknown) => (doc === undefined ? undefined : maskSecrets(doc, keys));
  const fields: ExportField[] = diffValues(masked(git), masked(written));
  if (!fields.some((f) => f.sensitive)) return fields;
  const shape = (doc: unknown) => (doc === undefined ? undefined : mapSecrets(doc, (value) => (typeof value === 'string' && value.startsWith(SEALED_PREFIX) ? SEALED_SHAPE : VALUE_SHAPE), keys));
  const shapes = new Map(diffValues(shape(git), shape(written)).map((f) => [f.path, f]));
  const side = (f: FieldChange | undefined, which: 'before' | 'after') => (!f ? 'value' : !(which in f) ? undefined : f[which] === SEALED_SHAPE ? 'sealed' : 'value');
  return fields.map((f) => {
    if (!f.sensitive) return f;
    const before = side(shapes.get(f.path), 'before');
    const after = side(shapes.get(f.path), 'after');
    return { ...f, secret: { ...(before ? { before } : {}), ...(after ? { after } : {}) } };
  });
}

function layoutPath(root: string, spec: SystemSpec, taken: (path: string) => boolean): string {
  // Names become paths: anything but a valid name (no `..`, no `/`) is refused, whatever the store holds.
  const names = [spec.name, spec.project];
  if (!KIND_BY_NAME.has(spec.kind as KindName) || names.some((n) => !RESOURCE_NAME.test(n)) || (spec.version !== undefined && !VERSION.test(spec.version))) {
    throw new Error(`${spec.kind} ${spec.project}/${spec.name}${spec.version ? ` version ${spec.version}` : ''} cannot be written to Git: its kind, name or version is not valid`);
  }
  const plain = layoutPathOf(spec, false, root);
  // Another version of a template may already be `<name>.yaml`: this one becomes `<name>@<version>.yaml`.
  return spec.version !== undefined && taken(plain) ? layoutPathOf(spec, true, root) : plain;
}

export function planExport(checkout: LoadResult, system: readonly SystemSpec[], options: ExportOptions = {}): ExportPlan {
  const root = layoutRoot(options.root);
  const inScope = (kind: string, project: string) =>
    (!options.include || options.include.includes(kind)) && !options.exclude?.includes(kind) && (options.scope?.(kind, project) ?? true);
  const inGit = new Map<string, LoadedSpec>(checkout.specs.filter((s) => inScope(s.kind.kind, s.project)).map((s) => [specKey({ kind: s.kind.kind, project: s.project, name: s.name, version: s.version }), s]));
  const paths = new Set(checkout.specs.map((s) => s.file));
  const plan: ExportPlan = { files: [], secrets: [], rewritten: [] };
  // An environment's values are secret also where its template says so: the system's own specs tell.
  const systemLoaded = loadDocuments(system.map((s) => ({ path: uniquePathOf(s), data: structuredClone(s.document) })));
  const systemIndex = new SpecIndex(systemLoaded.specs);
  const systemLoadedOf = (spec: SystemSpec) => systemIndex.find(spec.kind as KindName, spec.project, spec.name).find((l) => l.version === spec.version);
  // What is sealed: a secret by the system's declarations, or by a name the configuration declares
  // sensitive (a value the bot's pull request hides must not be in its diff either).
  const names = options.sensitiveNames ?? [];
  const sensitiveKeys = (spec: SystemSpec) => {
    const loaded = systemLoadedOf(spec);
    return loaded ? sensitiveKeysOf(loaded, systemIndex, names) : spec.kind === 'Environment' ? new Set([ALL_SENSITIVE]) : new Set<string>(sensitiveNamePatterns(names));
  };
  // What the changed fields hide: that, or a secret by Git's declarations. Git's index is made only when a spec in Git changes.
  let gitIndex: SpecIndex | undefined;
  const shownKeys = (kind: string, system: LoadedSpec | undefined, git: LoadedSpec | undefined) => {
    if (!system && !git) return new Set(kind === 'Environment' ? [ALL_SENSITIVE] : sensitiveNamePatterns(names));
    const keys = new Set<string>(system ? sensitiveKeysOf(system, systemIndex, names) : []);
    if (git) for (const key of sensitiveKeysOf(git, (gitIndex ??= new SpecIndex(checkout.specs)), names)) keys.add(key);
    return keys;
  };
  const wanted = new Set<string>();

  for (const spec of [...system].sort((a, b) => (specKey(a) < specKey(b) ? -1 : 1))) {
    if (!inScope(spec.kind, spec.project)) continue;
    const key = specKey(spec);
    wanted.add(key);
    const existing = inGit.get(key);
    const file = existing?.file ?? layoutPath(root, spec, (p) => paths.has(p));
    const { status: _status, ...document } = spec.document;
    const desired = mapSecrets(document, (value, path) => {
      const inGitNow = existing ? valueAt(existing.data, document, path) : undefined;
      if (inGitNow !== undefined && (equalJson(inGitNow, value) || String(inGitNow).startsWith(SEALED_PREFIX))) return inGitNow;
      const policy = typeof options.secrets === 'function' ? options.secrets(spec.project) : options.secrets;
      if (policy === 'keep' && inGitNow !== undefined) {
        plan.secrets.push({ file, path: formatPath(path), outcome: 'kept' });
        return inGitNow;
      }
      plan.secrets.push({ file, path: formatPath(path), outcome: 'sealed' });
      return sealedReference(spec, document, path);
    }, sensitiveKeys(spec));

    if (existing) {
      const text = checkout.textOf(existing.file) ?? '';
      const result = editYaml(text, respell(desired, rawDocument(text)));
      if (result.text !== text) {
        const fields = fieldsBetween(existing.data, desired, shownKeys(spec.kind, systemLoadedOf(spec), existing));
        plan.files.push({ path: existing.file, content: result.text, resource: { ...identity(spec), operation: 'Update' }, fields });
      }
      if (result.rewritten) plan.rewritten.push(existing.file);
    } else {
      const fields = fieldsBetween(undefined, desired, shownKeys(spec.kind, systemLoadedOf(spec), undefined));
      plan.files.push({ path: file, content: stringify(desired, { lineWidth: 0, indentSeq: false }), resource: { ...identity(spec), operation: 'Create' }, fields });
      paths.add(file);
    }
  }

  for (const [key, spec] of inGit) {
    if (wanted.has(key)) continue;
    const resource = { kind: spec.kind.kind, project: spec.project, name: spec.name, ...(spec.version !== undefined ? { version: spec.version } : {}), operation: 'Delete' as const };
    plan.files.push({ path: spec.file, content: null, resource, fields: fieldsBetween(spec.data, undefined, shownKeys(spec.kind.kind, undefined, spec)) });
  }

  // A project that Git did not have gets a `.gitkeep`, so that its folder exists even when empty.
  const projectFolders = new Set([...paths].map((p) => /projects\/([^/]+)\//.exec(p)?.[1]).filter(Boolean));
  const known = new Set(checkout.specs.map((s) => s.project));
  for (const project of [...projectFolders].sort()) {
    if (!known.has(project!)) plan.files.push({ path: `${root === '' ? '' : `${root}/`}projects/${project}/.gitkeep`, content: '' });
  }
  plan.files.sort(byPath);
  return plan;
}

/** The file's data as written (variant spellings included), to re-spell the desired document. */
function rawDocument(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 1000 }) as unknown;
  } catch {
    return undefined;
  }
}
