// What a merge changes: each spec created, updated or deleted between two snapshots, with the fields.
import type { LoadedSpec } from '../../specs/load.js';
import type { SpecIndex } from '../spec-index.js';
import { sensitiveKeysOf } from '../declarations.js';
import { diffValues, equalValues } from './diff.js';
import { maskSecrets } from './mask.js';
import type { Change, SpecRef } from './types.js';

export const specKey = (s: { kind: string; project: string; name: string; version?: string }): string => `${s.kind}/${s.project}/${s.name}${s.version !== undefined ? `@${s.version}` : ''}`;

const keys = new WeakMap<LoadedSpec, string>();

/** specKey of a loaded spec, computed once: plans look keys up for every input of every run. */
export function keyOf(spec: LoadedSpec): string {
  let key = keys.get(spec);
  if (key === undefined) keys.set(spec, (key = specKey(refOf(spec))));
  return key;
}

export const refOf = (s: LoadedSpec): SpecRef => ({ kind: s.kind.kind, project: s.project, name: s.name, ...(s.version !== undefined ? { version: s.version } : {}) });

const sameBytes = (a?: Uint8Array, b?: Uint8Array) => a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

const compared = new WeakMap<LoadedSpec, WeakMap<LoadedSpec, boolean>>();
/**
 * Whether two loaded specs hold the same document, remembered for the pair: the system's loaded
 * specs and a revision's unchanged files keep their objects from one pull request's plan to the next.
 */
function sameDocument(a: LoadedSpec, b: LoadedSpec): boolean {
  let known = compared.get(a);
  if (!known) compared.set(a, (known = new WeakMap()));
  let same = known.get(b);
  if (same === undefined) known.set(b, (same = equalValues(a.data, b.data)));
  return same;
}

const byVersion = new Intl.Collator('en', { numeric: true }).compare;

/** The versions of a new template version's name before the change, and the one to compare it with. */
function previousVersion(now: LoadedSpec, base: SpecIndex): { spec: LoadedSpec; versions: string[] } | undefined {
  if (now.version === undefined) return undefined;
  const others = base.find(now.kind.kind, now.project, now.name).filter((s) => s.version !== undefined);
  if (others.length === 0) return undefined;
  const versions = others.map((s) => s.version!).sort(byVersion);
  const sameFile = others.find((s) => s.file === now.file);
  const latest = others.find((s) => s.version === versions.at(-1))!;
  return { spec: sameFile ?? latest, versions };
}

export interface ChangeSet {
  changes: Change[];
  unchanged: number;
}

export function planChanges(base: SpecIndex, head: SpecIndex, sensitiveNames: readonly string[] = []): ChangeSet {
  const before = new Map(base.specs.map((s) => [keyOf(s), s]));
  const after = new Map(head.specs.map((s) => [keyOf(s), s]));
  const changes: Change[] = [];
  let unchanged = 0;
  const masked = (spec: LoadedSpec, index: SpecIndex) => maskSecrets(spec.data, sensitiveKeysOf(spec, index, sensitiveNames));

  for (const [key, now] of after) {
    const was = before.get(key);
    // The fast paths: most specs of a large repository are byte-for-byte the same file, or, against
    // the system (whose specs have no bytes), the same document; masking both to compare them would
    // cost most of a check of a 30,000-spec repository.
    if (was && ((was.file === now.file && sameBytes(was.content, now.content)) || sameDocument(was, now))) {
      unchanged++;
      continue;
    }
    // A new version of a template is compared with the version it follows, which is what a reviewer
    // wants to see, rather than listed field by field as if it came from nowhere.
    const previous = was ? undefined : previousVersion(now, base);
    const fields = diffValues(was ? masked(was, base) : previous ? masked(previous.spec, base) : undefined, masked(now, head));
    if (was && fields.length === 0) {
      unchanged++; // moved or reformatted, same content
      continue;
    }
    const change: Change = { ...refOf(now), action: was ? 'update' : 'create', file: now.file, fields };
    if (previous) change.versionBump = { from: previous.versions, comparedWith: previous.spec.version! };
    changes.push(change);
  }
  for (const [key, was] of before) {
    if (!after.has(key)) changes.push({ ...refOf(was), action: 'delete', file: was.file, fields: diffValues(masked(was, base), undefined) });
  }
  changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : specKey(a) < specKey(b) ? -1 : 1));
  return { changes, unchanged };
}
