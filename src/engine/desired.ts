// What the system holds once a revision is applied: the revision's specs where its repository speaks
// (its projects, the kinds that sync from Git), the system's own everywhere else. Plans and deletion
// checks compare the system with this, never with the revision alone: a repository that owns one
// project must not read as deleting every other.
//
// Secrets Git holds as `sealed://` references are the values the system keeps there, as the apply
// keeps them: a merged bot pull request that seals a secret the system already holds changes
// nothing, and plans no run.
import type { LoadedSpec, LoadResult } from '../specs/load.js';
import { keyOf, refOf } from './plan/changes.js';
import { SEALED_PREFIX } from './secrets.js';
import { unsealedFromGit } from './sealed.js';
import { SpecIndex } from './spec-index.js';

const SEALED = Buffer.from(SEALED_PREFIX);
/** Whether a spec may hold a reference: its bytes are searched, the document only when there are none. */
const maySeal = (s: LoadedSpec) => (s.content ? Buffer.from(s.content.buffer, s.content.byteOffset, s.content.byteLength).includes(SEALED) : JSON.stringify(s.data).includes(SEALED_PREFIX));

/** `sensitiveNames`: the repository's own credential names (`sensitive.names`), sealed as the declared secrets are. */
export function desiredState(system: LoadResult, revision: LoadResult, speaksFor: (kind: string, project: string) => boolean, sensitiveNames: readonly string[] = []): LoadResult {
  const fromGit = revision.specs.filter((s) => speaksFor(s.kind.kind, s.project));
  const sealed = fromGit.filter(maySeal);
  let specs = fromGit;
  if (sealed.length > 0) {
    const held = new Map(system.specs.map((s) => [keyOf(s), s]));
    const index = new SpecIndex(revision.specs);
    const unsealed = new Map(
      sealed.flatMap((s) => {
        const was = held.get(keyOf(s));
        // Its bytes are Git's no more: the plan compares the documents.
        return was ? [[s, { ...s, data: unsealedFromGit(s, was.data, index, sensitiveNames) as Record<string, unknown>, content: undefined }] as const] : [];
      }),
    );
    specs = fromGit.map((s) => unsealed.get(s) ?? s);
  }
  return {
    ...revision,
    specs: [...specs, ...system.specs.filter((s) => !speaksFor(s.kind.kind, s.project))],
    textOf: (file) => revision.textOf(file) ?? system.textOf(file),
  };
}

/** The specs of a load result a revision speaks for. */
export const inScope = (loaded: LoadResult, speaksFor: (kind: string, project: string) => boolean) => loaded.specs.filter((s) => speaksFor(s.kind.kind, s.project)).map(refOf);
