// Drift, found and settled: the one decision behind the app's scheduled drift check and `envsync
// reconcile`. The system is compared with a checkout (a revision the app read from GitHub, or a
// working tree); git-wins applies the checkout to the system behind the same mass-deletion guard as
// a merge; system-wins is left to the caller, who writes the system back where its Git is (a bot
// pull request from the app, files in the working tree from the CLI).
import { ownedScope, type ResolvedConfig } from '../../config/config.js';
import { deletionsBetween, type MassDeletion } from '../../engine/deletion.js';
import type { LoadResult } from '../../specs/load.js';
import type { SourceFile } from '../../specs/source.js';
import type { ApplyResult } from '../../system/records.js';
import type { CheckedRevision, Drift, SystemService } from '../../system/service.js';

export type DriftMode = 'git-wins' | 'system-wins';

export interface ReconcileInput {
  config: ResolvedConfig;
  /** The checkout's specs. */
  checkout: LoadResult;
  /** The same revision as git-wins applies it (files, or already checked): asked for only then. */
  apply: () => readonly SourceFile[] | CheckedRevision;
  /** The commit of the checkout, or a name for a working tree. */
  revision: string;
  /** Which side wins; none lists the drift in either direction and changes nothing. */
  mode: DriftMode | undefined;
  /** The projects the repository owns; by default those its configuration claims. */
  owned?: readonly string[];
  /** The followed repository the checkout is of, recorded with an applied revision. */
  repo?: string;
  actor: string;
  /** Applies a revision that deletes all (or more than the configured share) of a project's specs. */
  allowDeletion?: boolean;
}

export type Reconciled =
  | { settled: 'in-sync'; drift: [] }
  | { settled: 'listed'; drift: Drift[] }
  | { settled: 'git-wins'; drift: Drift[]; applied: ApplyResult }
  | { settled: 'git-wins'; drift: Drift[]; refused: MassDeletion[] }
  /** The caller writes the system into Git. */
  | { settled: 'system-wins'; drift: Drift[] };

export async function reconcile(service: SystemService, input: ReconcileInput): Promise<Reconciled> {
  const { config, mode, owned } = input;
  const scope =
    mode === undefined
      ? (kind: string, project: string) => ownedScope(config, 'git-to-system', owned)(kind, project) || ownedScope(config, 'system-to-git', owned)(kind, project)
      : ownedScope(config, mode === 'git-wins' ? 'git-to-system' : 'system-to-git', owned);
  const names = config.sensitive?.names ?? [];
  const drift = await service.drift(input.checkout, scope, names);
  if (drift.length === 0) return { settled: 'in-sync', drift: [] };
  if (mode === undefined) return { settled: 'listed', drift };
  if (mode === 'system-wins') return { settled: 'system-wins', drift };
  const refused = input.allowDeletion ? [] : deletionsBetween(await service.snapshot(), input.checkout, scope, config.deletion.maxShare);
  if (refused.length > 0) return { settled: 'git-wins', drift, refused };
  const applied = await service.applyRevision(input.apply(), input.revision, { trigger: 'manual', actor: input.actor }, { root: config.root, scope, sensitiveNames: names, ...(input.repo ? { repo: input.repo } : {}) });
  return { settled: 'git-wins', drift, applied };
}

