// What a merge changes: each spec created, updated or deleted between two snapshots, with the fields.
import type { LoadedSpec } from '../../specs/load.js';
import type { SpecIndex } from '../spec-index.js';
import { templateDeclarations } from '../declarations.js';
import type { Environment } from '../../specs/kinds.js';
import { diffValues } from './diff.js';
import { maskSecrets } from './mask.js';
import type { Change, SpecRef } from './types.js';

export const specKey = (s: SpecRef): string => `${s.kind}/${s.project}/${s.name}${s.version !== undefined ? `@${s.version}` : ''}`;

export const refOf = (s: LoadedSpec): SpecRef => ({ kind: s.kind.kind, project: s.project, name: s.name, ...(s.version !== undefined ? { version: s.version } : {}) });

/** Keys (`variable\0name`) an environment's template and contexts declare sensitive: the environment's own value for them is a secret too. */
function sensitiveKeys(spec: LoadedSpec, index: SpecIndex): Set<string> {
  if (spec.kind.kind !== 'Environment' || !spec.valid) return new Set();
  const { template } = (spec.data as unknown as Environment).spec;
  const resolution = index.resolve('EnvironmentTemplate', template.name, spec.project, template.version);
  if (resolution.status !== 'found') return new Set();
  return new Set([...templateDeclarations(resolution.spec, index).values()].filter((d) => d.options?.sensitive).map((d) => d.id));
}

const sameBytes = (a?: Uint8Array, b?: Uint8Array) => a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

export interface ChangeSet {
  changes: Change[];
  unchanged: number;
}

export function planChanges(base: SpecIndex, head: SpecIndex): ChangeSet {
  const before = new Map(base.specs.map((s) => [specKey(refOf(s)), s]));
  const after = new Map(head.specs.map((s) => [specKey(refOf(s)), s]));
  const changes: Change[] = [];
  let unchanged = 0;
  const masked = (spec: LoadedSpec, index: SpecIndex) => maskSecrets(spec.data, sensitiveKeys(spec, index));

  for (const [key, now] of after) {
    const was = before.get(key);
    // The fast path: most specs of a large repository are byte-for-byte the same file.
    if (was && was.file === now.file && sameBytes(was.content, now.content)) {
      unchanged++;
      continue;
    }
    const fields = diffValues(was ? masked(was, base) : undefined, masked(now, head));
    if (was && fields.length === 0) {
      unchanged++; // moved or reformatted, same content
      continue;
    }
    const change: Change = { ...refOf(now), action: was ? 'update' : 'create', file: now.file, fields };
    if (!was && now.version !== undefined) {
      const others = base.all(now.kind.kind, now.name).filter((s) => s.project === now.project && s.version !== undefined);
      if (others.length > 0) change.versionBump = { from: others.map((s) => s.version!).sort() };
    }
    changes.push(change);
  }
  for (const [key, was] of before) {
    if (!after.has(key)) changes.push({ ...refOf(was), action: 'delete', file: was.file, fields: diffValues(masked(was, base), undefined) });
  }
  changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : specKey(a) < specKey(b) ? -1 : 1));
  return { changes, unchanged };
}
