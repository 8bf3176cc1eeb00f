// Reading `.github/envsync.yml`, with its defaults and the settings that apply to one project.
import { REST_WAVE, type WaveRule } from '../engine/plan/waves.js';
import { Ajv, type ErrorObject } from 'ajv';
import jsyaml from 'js-yaml';
import { atStart, atValue, error, type Finding, type PendingFinding } from '../specs/findings.js';
import { locateFindings } from '../specs/locate.js';
import { claims } from '../engine/ownership.js';
import { RepositoryConfigSchema, type RepositoryConfig } from './schema.js';
import { findingsFromAjv } from '../specs/check-schema.js';

import { CONFIG_PATH, DEFAULT_RUNNER_WORKFLOW } from './names.js';

export { CONFIG_PATH, DEFAULT_RUNNER_WORKFLOW };

export interface SyncSettings {
  direction: 'both' | 'git-to-system' | 'system-to-git';
  delivery: 'pull-request' | 'commit';
  secrets: 'seal' | 'keep';
  include?: string[];
  exclude?: string[];
}

export interface ResolvedConfig {
  root: string;
  branch?: string;
  /** The projects the repository owns: names or globs. */
  projects: string[];
  deletion: { maxShare?: number };
  sync: SyncSettings & { destination: { repository?: string; branch?: string; folder?: string }; projects: Record<string, Partial<SyncSettings>> };
  drift: { mode: 'git-wins' | 'system-wins' };
  approvals: { users: string[]; teams: string[]; allowAuthor: boolean };
  /** `package` absent: envsync's own at the dispatching app's version (runner/contract.ts). */
  runs: { workflow: string; labels: Record<string, string[]>; defaultLabels: string[]; package?: string };
  /** Names (globs) whose values are secrets besides envsync's own words; absent when none are set. */
  sensitive?: { names: string[] };
  /** The waves of a rollout, in order; none: every run of a merge goes at once (as dependencies allow). */
  rollout: { waves: WaveRule[] };
}

export const DEFAULT_SYNC: SyncSettings = { direction: 'both', delivery: 'pull-request', secrets: 'seal' };

const validate = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true }).compile(RepositoryConfigSchema);

/** The configuration in `text` (absent file: undefined), with defaults; findings when it is invalid. */
export function parseRepositoryConfig(text: string | undefined): { config: ResolvedConfig; findings: Finding[] } {
  const pending: PendingFinding[] = [];
  let raw: RepositoryConfig = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      const data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
      if (data === null || data === undefined) raw = {};
      else if (!validate(data)) {
        pending.push(...findingsFromAjv(CONFIG_PATH, validate.errors ?? []));
        raw = withoutErrors(data, validate.errors ?? []);
      } else raw = data as RepositoryConfig;
    } catch (e) {
      const mark = (e as { mark?: { line: number; column: number } }).mark;
      pending.push(error(CONFIG_PATH, 'yaml-syntax', `invalid YAML: ${(e as { reason?: string }).reason ?? String(e)}`, mark ? { line: mark.line + 1, column: mark.column + 1 } : atStart));
    }
  }
  // Wave names are gates (wave/NAME) and lines of a stopped rollout's note: one name, one wave; `rest` is the waves' own last one.
  const waveNames = new Set<string>();
  (raw.rollout?.waves ?? []).forEach((wave, i) => {
    if (wave.name === REST_WAVE || waveNames.has(wave.name)) {
      pending.push(error(CONFIG_PATH, 'wave-name', `wave "${wave.name}" is ${wave.name === REST_WAVE ? 'the name of the last wave, which takes what no wave takes' : 'named twice'}: give each wave a name of its own`, atValue(['rollout', 'waves', i, 'name'])));
    }
    waveNames.add(wave.name);
  });
  const findings = locateFindings(pending, () => text);
  const sync = raw.sync ?? {};
  const config: ResolvedConfig = {
    root: raw.root ?? '.',
    ...(raw.branch !== undefined ? { branch: raw.branch } : {}),
    projects: raw.projects ?? ['*'],
    deletion: { ...(raw.deletion?.maxShare !== undefined ? { maxShare: raw.deletion.maxShare } : {}) },
    sync: {
      direction: sync.direction ?? DEFAULT_SYNC.direction,
      delivery: sync.delivery ?? DEFAULT_SYNC.delivery,
      secrets: sync.secrets ?? DEFAULT_SYNC.secrets,
      ...(sync.include ? { include: sync.include } : {}),
      ...(sync.exclude ? { exclude: sync.exclude } : {}),
      destination: sync.destination ?? {},
      projects: sync.projects ?? {},
    },
    drift: { mode: raw.drift?.mode ?? 'system-wins' },
    approvals: { users: raw.approvals?.users ?? [], teams: raw.approvals?.teams ?? [], allowAuthor: raw.approvals?.allowAuthor ?? false },
    runs: { workflow: raw.runs?.workflow ?? DEFAULT_RUNNER_WORKFLOW, labels: raw.runs?.labels ?? {}, defaultLabels: raw.runs?.defaultLabels ?? ['ubuntu-latest'], ...(raw.runs?.package ? { package: raw.runs.package } : {}) },
    ...(raw.sensitive?.names ? { sensitive: { names: raw.sensitive.names } } : {}),
    rollout: { waves: (raw.rollout?.waves ?? []) as WaveRule[] },
  };
  return { config, findings };
}

/**
 * The settings that are right, with each wrong one removed (its default applies): a typo in one
 * setting must not silently switch off the others, such as the layout root.
 */
function withoutErrors(data: unknown, errors: readonly ErrorObject[]): RepositoryConfig {
  const copy = structuredClone(data) as Record<string, unknown>;
  for (const e of errors) {
    const path = e.instancePath.split('/').slice(1);
    if (e.keyword === 'additionalProperties') path.push((e.params as { additionalProperty: string }).additionalProperty);
    if (path.length === 0) return {};
    let node: unknown = copy;
    for (const segment of path.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[segment];
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[path.at(-1)!];
  }
  return validate(copy) ? (copy as RepositoryConfig) : {};
}

/** The sync settings of one project: its own over the global ones. */
export function syncSettingsFor(config: ResolvedConfig, project: string): SyncSettings {
  const own = config.sync.projects[project] ?? {};
  const { destination: _destination, projects: _projects, ...global } = config.sync;
  return { ...global, ...own };
}

/** Whether a kind of a project syncs in a direction. */
export function syncs(config: ResolvedConfig, project: string, kind: string, direction: 'git-to-system' | 'system-to-git'): boolean {
  const s = syncSettingsFor(config, project);
  if (s.direction !== 'both' && s.direction !== direction) return false;
  if (s.include && !s.include.includes(kind)) return false;
  return !s.exclude?.includes(kind);
}

/**
 * What a repository's revision speaks for in one direction: the projects it owns (`projects`, by
 * default those its configuration claims) and, within them, the kinds that sync that way.
 */
export function ownedScope(config: ResolvedConfig, direction: 'git-to-system' | 'system-to-git', projects: readonly string[] = config.projects) {
  return (kind: string, project: string) => claims(projects, project) && syncs(config, project, kind, direction);
}

/** The runner labels of an environment: those of its first agent the configuration maps, else the default. */
export function runnerLabels(runs: Pick<ResolvedConfig['runs'], 'labels' | 'defaultLabels'>, agents: readonly string[]): string[] {
  for (const agent of agents) {
    const labels = runs.labels[agent];
    if (labels) return labels;
  }
  return runs.defaultLabels;
}
