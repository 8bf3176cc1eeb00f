// System to Git on GitHub: read the destination branch (one tarball), plan the edits that make it
// hold the system's specs, and deliver them: by bot pull request or direct commit, per project.
import { ownedScope, syncSettingsFor, type ResolvedConfig } from '../../config/config.js';
import type { ExportOptions, ExportPlan } from '../../engine/export.js';
import { specKey } from '../../engine/plan/changes.js';
import type { ChangeRecord } from '../../render/bot-pr.js';
import { loadSpecs } from '../../specs/load.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../specs/parse.js';
import type { SystemService } from '../../system/service.js';
import { deliver, type DeliveryResult } from './deliver.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import { filesFromTarball } from '../../github/tarball.js';
import type { SourceFile } from '../../specs/source.js';

export interface SyncTarget {
  repo: RepoRef;
  branch: string;
  root: string;
}

/** Where system changes go: the configured destination, else this repository, its sync branch and root. */
export function syncTarget(config: ResolvedConfig, repo: RepoRef, defaultBranch: string): SyncTarget {
  const destination = config.sync.destination;
  const [owner, name] = destination.repository?.split('/') ?? [repo.owner, repo.repo];
  return { repo: { owner: owner!, repo: name! }, branch: destination.branch ?? config.branch ?? defaultBranch, root: destination.folder ?? config.root };
}

/**
 * How the system is written into a checkout of a repository with `config`: each project's secrets
 * setting and the repository's own credential names (`sensitive.names`), whose values are sealed as
 * declared secrets are. Every exporter takes its options from here (the app's bot pull request,
 * `envsync export`, `envsync reconcile --mode system-wins`), so that none writes such a value in clear.
 */
export function exportOptionsFor(config: ResolvedConfig, options: Omit<ExportOptions, 'sensitiveNames'>): ExportOptions {
  return {
    secrets: (project) => syncSettingsFor(config, project).secrets,
    ...options,
    ...(config.sensitive ? { sensitiveNames: config.sensitive.names } : {}),
  };
}

/**
 * The last change the system recorded of each spec the plan changes (what made it hold what it holds
 * now): who made it and through what, for the bot pull request's text; read by the spec.
 */
async function lastChanges(service: SystemService, plan: ExportPlan): Promise<Map<string, ChangeRecord>> {
  const keys = plan.files.flatMap((f) => (f.resource ? [f.resource] : []));
  const last = new Map<string, ChangeRecord>();
  for (const { kind, project, name, version, operation, trigger, actor, revision } of await service.records.lastSyncEvents(keys)) {
    last.set(specKey({ kind, project, name, ...(version !== undefined ? { version } : {}) }), { operation, trigger, actor, revision });
  }
  return last;
}

const projectOf = (path: string) => /(?:^|\/)projects\/([^/]+)\//.exec(path)?.[1] ?? /(?:^|\/)projects\/([^/]+)\.ya?ml$/.exec(path)?.[1];

export async function syncSystemToGit(options: {
  port: GitHubPort;
  service: SystemService;
  config: ResolvedConfig;
  target: SyncTarget;
  actors?: string[];
  /** What found the change: the system's report of it (by default), or the scheduled drift check. */
  foundBy?: 'change' | 'drift-check';
  /** The target branch's files when the caller has read them already (one request saved). */
  files?: SourceFile[];
  /** The projects the repository owns as the store recorded them (by default, as its configuration claims them). */
  owned?: string[];
}): Promise<DeliveryResult[]> {
  const { port, service, config, target } = options;
  const files = options.files ?? (await filesFromTarball(await port.getTarball(target.repo, target.branch), { root: target.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES }));
  const checkout = loadSpecs(files, { root: target.root });
  const plan = await service.exportTo(checkout, exportOptionsFor(config, { root: target.root, scope: ownedScope(config, 'system-to-git', options.owned) }));
  const records = plan.files.length > 0 ? await lastChanges(service, plan) : new Map<string, ChangeRecord>();
  // Projects may ask for direct commits while the rest goes through a pull request.
  const modeOf = (path: string) => syncSettingsFor(config, projectOf(path) ?? '').delivery;
  const results: DeliveryResult[] = [];
  for (const mode of ['commit', 'pull-request'] as const) {
    const group = plan.files.filter((f) => modeOf(f.path) === mode);
    if (group.length === 0) continue;
    const part: ExportPlan = {
      files: group,
      secrets: plan.secrets.filter((s) => group.some((f) => f.path === s.file)),
      rewritten: plan.rewritten.filter((r) => group.some((f) => f.path === r)),
    };
    results.push(await deliver(port, { repo: target.repo, base: target.branch, mode, plan: part, records, ...(options.actors ? { actors: options.actors } : {}), ...(options.foundBy ? { foundBy: options.foundBy } : {}) }));
  }
  return results.length > 0 ? results : [{ outcome: 'nothing-to-do' }];
}
