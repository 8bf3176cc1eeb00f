// What can be done to the system, whoever asks (the REST API, `envsync system`, the app): every change
// is validated with the rules of `envsync validate`, in the context of everything else the system
// holds, and nothing invalid is stored.
import { randomUUID } from 'node:crypto';
import { validateRepository } from '../engine/validate.js';
import { ALL_SENSITIVE, mapSecrets, unsealFrom } from '../engine/secrets.js';
import { sensitiveKeysOf } from '../engine/declarations.js';
import { SpecIndex } from '../engine/spec-index.js';
import { planExport, type ExportOptions, type ExportPlan, type SystemSpec } from '../engine/export.js';
import type { Finding } from '../specs/findings.js';
import { equalJson } from '../specs/json.js';
import { KIND_BY_NAME, type KindName } from '../specs/kinds.js';
import { layoutPathOf as layoutPath } from '../specs/layout.js';
import { RESOURCE_NAME, VERSION } from '../specs/schema/common.js';
import { loadDocuments, loadSpecs, type LoadResult, type ParsedDocument } from '../specs/load.js';
import { locateFindings } from '../specs/locate.js';
import type { SourceFile } from '../specs/source.js';
import type { ApplyResult, ResourceKey, RunAction, RunRecord, Store, StoredResource, SystemChange } from './store.js';

export type Drift = ResourceKey & { state: 'changed' | 'only-in-git' | 'only-in-system' };

export class SystemError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 422,
    readonly findings: Finding[] = [],
  ) {
    super(message);
  }
}

/** Where a stored spec lives in the layout: a template version as `<name>@<version>.yaml` by default. */
export const layoutPathOf = (key: ResourceKey, versioned = key.version !== undefined): string => layoutPath(key, versioned);

/** Paths for a set of specs: a template's single version is plain `<name>.yaml`. */
function layoutPaths<T extends ResourceKey>(keys: readonly T[]): Map<T, string> {
  const count = new Map<string, number>();
  const nameKey = (k: ResourceKey) => `${k.kind}\u0000${k.project}\u0000${k.name}`;
  for (const k of keys) count.set(nameKey(k), (count.get(nameKey(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, layoutPathOf(k, (count.get(nameKey(k)) ?? 0) > 1)]));
}

const sameKey = (a: ResourceKey, b: ResourceKey) => a.kind === b.kind && a.project === b.project && a.name === b.name && (a.version ?? '') === (b.version ?? '');

const documentOf = (r: StoredResource): Record<string, unknown> => structuredClone(r.spec) as Record<string, unknown>;

/** Stored specs as the documents of a checkout, each at its layout path. */
function documentsOf(resources: readonly StoredResource[]): ParsedDocument[] {
  const paths = layoutPaths(resources);
  return resources.map((r) => ({ path: paths.get(r)!, data: documentOf(r) }));
}

/** The identity a document claims; undefined when it claims none that could be stored. */
function keyOfDocument(data: Record<string, unknown>): ResourceKey | undefined {
  const kind = typeof data.kind === 'string' ? data.kind : undefined;
  const metadata = (data.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  const project = kind === 'Project' ? name : typeof metadata.project === 'string' ? metadata.project : undefined;
  if (!kind || !name || !project) return undefined;
  const version = KIND_BY_NAME.get(kind as KindName)?.versioned ? ((data.spec as { version?: unknown } | undefined)?.version as string | undefined) : undefined;
  return { kind, project, name, ...(typeof version === 'string' ? { version } : {}) };
}

const CHECKED = Symbol('checked');

/** A spec changed outside Git (API, `envsync system`): what the system-to-Git sync follows. */
export interface SystemChangeEvent {
  key: ResourceKey;
  outcome: 'created' | 'updated' | 'deleted';
  actor: string | null;
}

/** Made only by SystemService.checkRevision: a revision whose specs validate without error. */
export interface CheckedRevision {
  readonly revision: string;
  readonly loaded: LoadResult;
  readonly [CHECKED]: true;
}

export class SystemService {
  /**
   * Validated writes one at a time: a check made while another change lands could pass a spec
   * that the other change breaks (a template deleted while an environment naming it is stored).
   * Within one process; replicas sharing PostgreSQL can still interleave two such changes.
   */
  private writes: Promise<unknown> = Promise.resolve();
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  private readonly listeners = new Set<(event: SystemChangeEvent) => void>();

  constructor(readonly store: Store) {}

  /**
   * Calls `listener` after each change made outside Git (never for a revision applied from Git, so
   * that a merged bot pull request does not start another one). Returns the unsubscribe function.
   */
  onChange(listener: (event: SystemChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(event: SystemChangeEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async documents(): Promise<ParsedDocument[]> {
    return documentsOf(await this.store.listResources());
  }

  /**
   * Errors of the candidate (a spec about to be stored under `key`, or none for a deletion) and the
   * errors it causes in other specs that were not there before. Findings name the candidate's path.
   */
  private async validateChange(key: ResourceKey, candidate?: { data: Record<string, unknown>; text?: string }): Promise<{ findings: Finding[]; path: string }> {
    const all = await this.store.listResources();
    const others = all.filter((r) => !sameKey(r, key));
    const paths = layoutPaths([...others, key]);
    const path = paths.get(key)!;
    const docs = others.map((r) => ({ path: paths.get(r)!, data: documentOf(r) }));
    const errorsOf = (loaded: LoadResult) => locateFindings(validateRepository(loaded), loaded.textOf).filter((f) => f.severity === 'error');
    // Read once: the errors before and after the change are of the same state of the system.
    const before = new Set(errorsOf(loadDocuments(documentsOf(all))).map((f) => `${f.file}\u0000${f.code}\u0000${f.message}`));
    const after = errorsOf(loadDocuments(candidate ? [...docs, { path, data: structuredClone(candidate.data), ...(candidate.text !== undefined ? { text: candidate.text } : {}) }] : docs));
    return { path, findings: after.filter((f) => (candidate && f.file === path) || !before.has(`${f.file}\u0000${f.code}\u0000${f.message}`)) };
  }

  /** The system's specs as a loaded snapshot, laid out as a repository would hold them. */
  async snapshot(): Promise<LoadResult> {
    return loadDocuments(await this.documents());
  }

  /** A stored spec as it may be shown: secrets masked, an environment's also by its template's rules. */
  async masked(resource: StoredResource): Promise<StoredResource> {
    return (await this.maskedAll([resource]))[0]!;
  }

  /** Specs as they may be shown; the system is read once for all of them, and only if one is an environment. */
  async maskedAll(resources: readonly StoredResource[]): Promise<StoredResource[]> {
    const index = resources.some((r) => r.kind === 'Environment') ? new SpecIndex(loadDocuments(await this.documents()).specs) : undefined;
    return resources.map((resource) => {
      let keys = new Set<string>();
      if (index && resource.kind === 'Environment') {
        const spec = index.find('Environment', resource.project, resource.name)[0];
        keys = spec ? sensitiveKeysOf(spec, index) : new Set([ALL_SENSITIVE]);
      }
      return { ...resource, spec: mapSecrets(resource.spec, () => '(sensitive)', keys) };
    });
  }

  async list(filter: { project?: string; kind?: string } = {}): Promise<StoredResource[]> {
    return this.store.listResources(filter);
  }

  async get(key: ResourceKey): Promise<StoredResource> {
    const found = await this.store.getResource(key);
    if (!found) throw new SystemError(`no ${key.kind} ${key.project}/${key.name}${key.version ? ` version ${key.version}` : ''} in the system`, 404);
    return found;
  }

  /** Stores a spec changed outside Git; `text` (YAML or JSON) is where findings are located. */
  put(data: Record<string, unknown>, change: SystemChange, text?: string): Promise<'created' | 'updated' | 'unchanged'> {
    return this.serialized(() => this.putNow(data, change, text));
  }

  private async putNow(data: Record<string, unknown>, change: SystemChange, text?: string): Promise<'created' | 'updated' | 'unchanged'> {
    const key = keyOfDocument(data);
    // The identity becomes a file path on export: an unknown kind or a name that is not a name is
    // refused before anything else (`..` in a name or version would climb out of the checkout).
    const unsafe =
      key &&
      (!KIND_BY_NAME.has(key.kind as KindName) ||
        !RESOURCE_NAME.test(key.name) ||
        !RESOURCE_NAME.test(key.project) ||
        (key.version !== undefined && !VERSION.test(key.version)));
    if (unsafe) {
      const message = !KIND_BY_NAME.has(key.kind as KindName)
        ? `unknown kind "${key.kind}": use one of ${[...KIND_BY_NAME.keys()].join(', ')}`
        : 'metadata.name, metadata.project and spec.version must be valid names (lowercase letters, digits and dashes; a version also dots): fix them';
      throw new SystemError('the spec is not valid: nothing was stored', 422, [{ file: 'request', line: 1, column: 1, severity: 'error', code: 'invalid-name', message }]);
    }
    if (!key) {
      const finding: Finding = {
        file: 'request',
        line: 1,
        column: 1,
        severity: 'error',
        code: 'missing-field',
        message: 'a spec needs kind, metadata.name and (except a Project) metadata.project: add them',
      };
      throw new SystemError('the spec is not valid: nothing was stored', 422, [finding]);
    }
    const { findings } = await this.validateChange(key, { data, ...(text !== undefined ? { text } : {}) });
    if (findings.length > 0) throw new SystemError('the spec is not valid: nothing was stored', 422, findings);
    // Stored in canonical spelling, as Git-to-system stores specs, so that the two compare equal.
    const normalized = loadDocuments([{ path: layoutPathOf(key), data: structuredClone(data) }]).specs[0]?.data ?? data;
    const { status: _status, ...document } = normalized;
    const outcome = await this.store.putResource({ ...key, spec: document }, change);
    if (outcome !== 'unchanged') this.changed({ key, outcome, actor: change.actor });
    return outcome;
  }

  /** Deletes a spec, unless other specs still need it. */
  delete(key: ResourceKey, change: SystemChange): Promise<void> {
    return this.serialized(() => this.deleteNow(key, change));
  }

  private async deleteNow(key: ResourceKey, change: SystemChange): Promise<void> {
    await this.get(key);
    const { findings } = await this.validateChange(key);
    if (findings.length > 0) throw new SystemError(`other specs still use ${key.kind} ${key.name}: change them first`, 409, findings);
    if (await this.store.deleteResource(key, change)) this.changed({ key, outcome: 'deleted', actor: change.actor });
  }

  /** A new environment from a template, with values for the template's variables. */
  launch(
    input: { project: string; name: string; template: { name: string; version: string }; variables?: Record<string, string> },
    change: SystemChange,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    return this.serialized(() => this.launchNow(input, change));
  }

  private async launchNow(
    input: { project: string; name: string; template: { name: string; version: string }; variables?: Record<string, string> },
    change: SystemChange,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    if (await this.store.getResource({ kind: 'Environment', project: input.project, name: input.name })) {
      throw new SystemError(`environment ${input.project}/${input.name} already exists: update it instead`, 409);
    }
    const variables = Object.entries(input.variables ?? {}).map(([name, value]) => ({ name, value }));
    return this.putNow(
      {
        apiVersion: 'eaas.envmgmt.io/v1',
        kind: 'Environment',
        metadata: { name: input.name, project: input.project },
        spec: { template: input.template, ...(variables.length > 0 ? { variables } : {}) },
      },
      change,
    );
  }

  /** Queues a run of an environment; a runner (or the app) picks it up. */
  async triggerRun(project: string, environment: string, action: RunAction): Promise<RunRecord> {
    await this.get({ kind: 'Environment', project, name: environment });
    const revision = (await this.store.getAppliedRevision()) ?? 'system';
    return this.store.createRun({ id: randomUUID(), project, environment, action, revision, status: 'queued', activities: [], outputs: {} });
  }

  /** A revision loaded and validated, refused with its findings when it has errors. */
  checkRevision(files: readonly SourceFile[], revision: string, root = ''): CheckedRevision {
    const loaded = loadSpecs(files, { root });
    const errors = locateFindings(validateRepository(loaded), loaded.textOf).filter((f) => f.severity === 'error');
    if (errors.length > 0) throw new SystemError(`revision ${revision} does not validate: nothing was applied`, 422, errors);
    return { revision, loaded, [CHECKED]: true };
  }

  /**
   * Git to system: makes the system hold a revision's specs. A revision that does not validate is
   * refused whole. Secrets Git holds as `sealed://` references keep the values the system has.
   */
  async applyRevision(
    files: readonly SourceFile[] | CheckedRevision,
    revision: string,
    change: { trigger: 'webhook' | 'manual'; actor: string | null },
    options: { root?: string; scope?: (kind: string, project: string) => boolean; repo?: string; projects?: string[] } = {},
  ): Promise<ApplyResult> {
    // A revision checked already (a push checks it before starting its runs) is not checked twice.
    const { loaded } = 'loaded' in files ? files : this.checkRevision(files, revision, options.root ?? '');
    const inScope = (r: { kind: string; project: string }) => options.scope?.(r.kind, r.project) ?? true;
    const current = new Map((await this.store.listResources()).map((r) => [layoutPathOf(r), r]));
    const index = new SpecIndex(loaded.specs);
    const fromGit = loaded.specs
      .filter((s) => inScope({ kind: s.kind.kind, project: s.project }))
      .map((s) => {
        const key: ResourceKey = { kind: s.kind.kind, project: s.project, name: s.name, ...(s.version !== undefined ? { version: s.version } : {}) };
        const held = current.get(layoutPathOf(key));
        return { ...key, spec: held ? unsealFrom(s.data, held.spec, sensitiveKeysOf(s, index)) : s.data };
      });
    // What the revision does not speak for (another repository's projects, kinds that do not sync
    // from Git) stays as the system has it: decided inside the store's write.
    return this.store.applyRevision({ revision, resources: fromGit, ...change, owns: inScope, repo: options.repo, projects: options.projects });
  }

  /**
   * Where the system and a checkout differ, for the specs in scope: created or changed in the system,
   * or only in Git. Secrets Git holds as `sealed://` references are not drift.
   */
  async drift(checkout: LoadResult, scope: (kind: string, project: string) => boolean = () => true): Promise<Drift[]> {
    const system = new Map((await this.store.listResources()).filter((r) => scope(r.kind, r.project)).map((r) => [layoutPathOf(r), r]));
    const index = new SpecIndex(checkout.specs);
    const drift: Drift[] = [];
    const seen = new Set<string>();
    for (const spec of checkout.specs) {
      if (!scope(spec.kind.kind, spec.project)) continue;
      const key: ResourceKey = { kind: spec.kind.kind, project: spec.project, name: spec.name, ...(spec.version !== undefined ? { version: spec.version } : {}) };
      const path = layoutPathOf(key);
      seen.add(path);
      const held = system.get(path);
      if (!held) drift.push({ ...key, state: 'only-in-git' });
      else if (!equalJson(unsealFrom(spec.data, held.spec, sensitiveKeysOf(spec, index)), held.spec)) drift.push({ ...key, state: 'changed' });
    }
    for (const [path, r] of system) {
      if (!seen.has(path)) drift.push({ kind: r.kind, project: r.project, name: r.name, ...(r.version !== undefined ? { version: r.version } : {}), state: 'only-in-system' });
    }
    return drift.sort((a, b) => (layoutPathOf(a) < layoutPathOf(b) ? -1 : 1));
  }

  /** System to Git: the file changes that make a checkout hold what the system holds. */
  async exportTo(checkout: LoadResult, options: ExportOptions = {}): Promise<ExportPlan> {
    const system: SystemSpec[] = (await this.store.listResources()).map((r) => ({
      kind: r.kind,
      project: r.project,
      name: r.name,
      ...(r.version !== undefined ? { version: r.version } : {}),
      document: documentOf(r),
    }));
    return planExport(checkout, system, options);
  }
}
