// What can be done to the system, whoever asks (the REST API, `envsync system`, the app): every change
// is validated with the rules of `envsync validate`, in the context of everything else the system
// holds, and nothing invalid is stored. Git and the system (apply, drift, export) are in sync.ts;
// the service hands those on, so that its callers hold one object.
import { validateRepository, type SourceValidation } from '../engine/validate.js';
import { ALL_SENSITIVE, MASK, mapSecrets, namedPath, unmaskFrom, type UnresolvedMask } from '../engine/secrets.js';
import { sensitiveKeysOf } from '../engine/declarations.js';
import { SpecIndex } from '../engine/spec-index.js';
import type { ExportOptions, ExportPlan } from '../engine/export.js';
import { atValue, compareFindings, type DocPath, type Finding } from '../specs/findings.js';
import { KIND_BY_NAME, type KindName } from '../specs/kinds.js';
import { layoutPathOf, uniquePathOf } from '../specs/layout.js';
import { RESOURCE_NAME, VERSION } from '../specs/schema/common.js';
import { loadDocuments, type LoadResult, type ParsedDocument } from '../specs/load.js';
import { locateFindings } from '../specs/locate.js';
import type { SourceFile } from '../specs/source.js';
import { applyRevision, checkedRevision, checkRevision, driftFrom, exportPlan, type ApplyOptions, type CheckedRevision, type Drift, type GitChange } from './sync.js';
import { SystemError } from './errors.js';
import { StaleWrite, type ApplyResult, type Records, type ResourceFilter, type ResourceKey, type Store, type StoredResource, type SystemChange } from './store.js';

/** An error a change would be refused with; one in the changed spec itself names its path there. */
export type CheckedFinding = Finding & { path?: DocPath };

const withoutPath = ({ path: _path, ...finding }: CheckedFinding): Finding => finding;

/** What a put did, and the ETag of the version it left (a client's next If-Match). */
export interface Put {
  outcome: 'created' | 'updated' | 'unchanged';
  etag: string;
}

/** The entity tag of a stored spec's version (HTTP's ETag): its generation, quoted. */
export const etagOf = (resource: { generation: number }): string => `"${resource.generation}"`;

/** What a client says its change is based on (HTTP's If-Match and If-None-Match). */
export interface Precondition {
  /** Entity tags of which the spec must be at one; `*`: at any, i.e. it must exist. */
  ifMatch?: readonly string[] | '*';
  /** Create only: the spec must not exist yet. */
  ifNoneMatch?: '*';
}

/** A precondition that does not hold: nothing was changed. `current` is the spec's ETag now (null: it does not exist). */
export class PreconditionFailed extends SystemError {
  constructor(
    message: string,
    readonly key: ResourceKey,
    readonly current: string | null,
  ) {
    super(message, 412);
  }
}

const describeSpec = (key: ResourceKey) => `${key.kind} ${key.project}/${key.name}${key.version ? ` version ${key.version}` : ''}`;

/** Throws PreconditionFailed, saying what to do, unless `held` (the spec as stored now) satisfies `precondition`. */
function checkPrecondition(key: ResourceKey, held: StoredResource | undefined, precondition: Precondition): void {
  const etag = held ? etagOf(held) : null;
  const sent = precondition.ifMatch === '*' ? '*' : precondition.ifMatch?.join(', ');
  if (precondition.ifNoneMatch === '*' && etag !== null) {
    throw new PreconditionFailed(`${describeSpec(key)} exists already (ETag ${etag}) and If-None-Match: * only creates: nothing was stored. GET it, reapply your change to what it holds, and send that with If-Match: ${etag}`, key, etag);
  }
  if (sent === undefined) return;
  if (etag === null) {
    throw new PreconditionFailed(`${describeSpec(key)} no longer exists, so If-Match: ${sent} does not hold: nothing was stored. Send it without If-Match (or with If-None-Match: *) to create it again`, key, null);
  }
  if (precondition.ifMatch !== '*' && !precondition.ifMatch!.includes(etag)) {
    throw new PreconditionFailed(`${describeSpec(key)} changed since you read it (you sent If-Match: ${sent}; it is now at ${etag}): nothing was changed. GET it again, reapply your change to what it holds now, and send that with If-Match: ${etag}`, key, etag);
  }
}

/** How often a write is redone on the newer version when another writer (a replica) moved the spec under it. */
const STALE_TRIES = 5;

const MASK_WHY: Record<UnresolvedMask['reason'], string> = {
  held: 'the system holds no secret at this place to keep: send the real value',
  'not-secret': 'this place is not a secret in what you sent, so the secret the system holds is not copied into it: send the real value (or keep the place secret)',
};

/** The refusal of masks sent back that the system cannot stand in for, each located in the request. */
function unresolvedMasks(data: Record<string, unknown>, unresolved: readonly UnresolvedMask[], text: string | undefined): SystemError {
  const pending = unresolved.map((u) => ({
    file: 'request',
    severity: 'error' as const,
    code: 'masked-value',
    message: `${namedPath(data, u.path)}: "${MASK}" is the mask GET shows, not a value; ${MASK_WHY[u.reason]}`,
    where: atValue(u.path),
  }));
  const paths = unresolved.map((u) => namedPath(data, u.path)).join(', ');
  return new SystemError(`the spec sends "${MASK}" where the system cannot keep the secret it holds (${paths}): nothing was stored`, 422, locateFindings(pending, () => text));
}

/** Paths for a set of specs: a template's single version is plain `<name>.yaml`. */
function layoutPaths<T extends ResourceKey>(keys: readonly T[]): Map<T, string> {
  const count = new Map<string, number>();
  const nameKey = (k: ResourceKey) => `${k.kind}\u0000${k.project}\u0000${k.name}`;
  for (const k of keys) count.set(nameKey(k), (count.get(nameKey(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, layoutPathOf(k, (count.get(nameKey(k)) ?? 0) > 1)]));
}

const sameKey = (a: ResourceKey, b: ResourceKey) => a.kind === b.kind && a.project === b.project && a.name === b.name && (a.version ?? '') === (b.version ?? '');

/** A stored spec as the document a checkout would hold. */
export const documentOf = (r: StoredResource): Record<string, unknown> => structuredClone(r.spec) as Record<string, unknown>;

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

/** A spec changed outside Git (API, `envsync system`): what the system-to-Git sync follows. */
export interface SystemChangeEvent {
  key: ResourceKey;
  outcome: 'created' | 'updated' | 'deleted';
  actor: string | null;
}


export class SystemService {
  /** The system's specs loaded, as of a write count (see snapshot). */
  #snapshot: { count: number; loaded: Promise<LoadResult> } | undefined;
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

  /** The store's records other than resources (runs, approvals, repositories, jobs): the resources are this service's to write. */
  readonly records: Records;

  constructor(private readonly store: Store) {
    this.records = store;
  }

  /** The stored spec of `key`, unmasked, or undefined: for flows that decide by what the system holds. */
  find(key: ResourceKey): Promise<StoredResource | undefined> {
    return this.store.getResource(key);
  }

  close(): Promise<void> {
    return this.store.close();
  }

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
  private async validateChange(key: ResourceKey, candidate?: { data: Record<string, unknown>; text?: string }): Promise<{ findings: CheckedFinding[]; path: string }> {
    const all = await this.store.listResources();
    const others = all.filter((r) => !sameKey(r, key));
    const paths = layoutPaths([...others, key]);
    const path = paths.get(key)!;
    const docs = others.map((r) => ({ path: paths.get(r)!, data: documentOf(r) }));
    const errors = (loaded: LoadResult) => validateRepository(loaded).filter((f) => f.severity === 'error');
    const sameError = (f: Finding) => `${f.file}\u0000${f.code}\u0000${f.message}`;
    // Read once: the errors before and after the change are of the same state of the system.
    const loadedBefore = loadDocuments(documentsOf(all));
    const before = new Set(locateFindings(errors(loadedBefore), loadedBefore.textOf).map(sameError));
    const loaded = loadDocuments(candidate ? [...docs, { path, data: structuredClone(candidate.data), ...(candidate.text !== undefined ? { text: candidate.text } : {}) }] : docs);
    // Each error located on its own, so that one in the candidate keeps the path it names there (a form shows it on its field).
    const after = errors(loaded).map((pending): CheckedFinding => {
      const finding = locateFindings([pending], loaded.textOf)[0]!;
      return pending.file === path && 'path' in pending.where ? { ...finding, path: pending.where.path } : finding;
    });
    return { path, findings: after.filter((f) => (candidate && f.file === path) || !before.has(sameError(f))).sort(compareFindings) };
  }

  /**
   * The errors `data` would be refused with if it were stored now, nothing stored: a form shows them
   * on its fields before anything is sent. Those in the spec itself name the path they are at.
   */
  async check(data: Record<string, unknown>): Promise<CheckedFinding[]> {
    const key = keyOfDocument(data);
    if (!key) return [{ file: 'request', line: 1, column: 1, severity: 'error', code: 'missing-field', message: 'a spec needs kind, metadata.name and (except a Project) metadata.project: add them' }];
    return (await this.validateChange(key, { data })).findings;
  }

  /** The system's specs as a loaded snapshot, laid out as a repository would hold them. */
  async snapshot(): Promise<LoadResult> {
    // Loading 30,000 stored specs again for every pull request costs seconds: the load is kept
    // while the store's write count says no resource changed (read first, so a write that lands
    // during the read only makes the next call read again).
    const count = await this.store.writeCount();
    if (this.#snapshot?.count !== count) this.#snapshot = { count, loaded: this.documents().then(loadDocuments) };
    const { loaded } = this.#snapshot;
    loaded.catch(() => {
      if (this.#snapshot?.loaded === loaded) this.#snapshot = undefined;
    });
    return loaded;
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
      return { ...resource, spec: mapSecrets(resource.spec, () => MASK, keys) };
    });
  }

  async list(filter: ResourceFilter = {}): Promise<StoredResource[]> {
    return this.store.listResources(filter);
  }

  /** The projects that hold a spec, sorted, without reading the specs. */
  projects(): Promise<string[]> {
    return this.store.listProjects();
  }

  async get(key: ResourceKey): Promise<StoredResource> {
    const found = await this.store.getResource(key);
    if (!found) throw new SystemError(`no ${describeSpec(key)} in the system`, 404);
    return found;
  }

  /**
   * Stores a spec changed outside Git; `text` (YAML or JSON) is where findings are located. A mask
   * sent back (what a read shows for a secret) keeps the secret the system holds at that place.
   */
  put(data: Record<string, unknown>, change: SystemChange, text?: string, precondition: Precondition = {}): Promise<Put> {
    return this.serialized(() => this.putNow(data, change, text, precondition));
  }

  private async putNow(data: Record<string, unknown>, change: SystemChange, text?: string, precondition: Precondition = {}): Promise<Put> {
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
    return this.redoneWhenStale(key, () => this.putOnce(key, data, change, text, precondition));
  }

  /**
   * One attempt at a put, checked against the version it reads and stored only if that version is
   * still the one held when the write commits (the store checks it inside the write's transaction).
   */
  private async putOnce(key: ResourceKey, data: Record<string, unknown>, change: SystemChange, text: string | undefined, precondition: Precondition): Promise<Put> {
    const held = await this.store.getResource(key);
    checkPrecondition(key, held, precondition);
    const candidate = await this.unmasked(key, data, held, text);
    const { findings } = await this.validateChange(key, { data: candidate, ...(text !== undefined ? { text } : {}) });
    if (findings.length > 0) throw new SystemError('the spec is not valid: nothing was stored', 422, findings.map(withoutPath));
    // Stored in canonical spelling, as Git-to-system stores specs, so that the two compare equal.
    const normalized = loadDocuments([{ path: uniquePathOf(key), data: structuredClone(candidate) }]).specs[0]?.data ?? candidate;
    const { status: _status, ...document } = normalized;
    const { outcome, generation } = await this.store.putResource({ ...key, spec: document }, change, { generation: held?.generation ?? null });
    if (outcome !== 'unchanged') this.changed({ key, outcome, actor: change.actor });
    return { outcome, etag: etagOf({ generation }) };
  }

  /**
   * Another writer (a replica, the CLI) moved the spec between this write's read and its commit: the
   * write is done again on the newer version, whose own precondition check then answers a client
   * that named the version it read. One that named none gets what it got before ETags: its write.
   */
  private async redoneWhenStale<T>(key: ResourceKey, attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof StaleWrite)) throw e;
        if (tries === STALE_TRIES) throw new SystemError(`${describeSpec(key)} changed ${STALE_TRIES} times while this change was checked: nothing was changed; send it again`, 409);
      }
    }
  }

  /** `data` with each mask sent back replaced by the secret held at that place; refused where there is none to keep. */
  private async unmasked(key: ResourceKey, data: Record<string, unknown>, held: StoredResource | undefined, text: string | undefined): Promise<Record<string, unknown>> {
    // Most writes send no mask: they pay neither for the walk nor for reading the templates.
    if (!JSON.stringify(data).includes(JSON.stringify(MASK))) return data;
    const { document, unresolved } = unmaskFrom(data, held?.spec, await this.sensitiveKeysOf(key, data));
    if (unresolved.length > 0) throw unresolvedMasks(data, unresolved, text);
    return document as Record<string, unknown>;
  }

  /** Which entries of a spec about to be stored are secrets by its template's rules (an environment's only), as masked() decides. */
  private async sensitiveKeysOf(key: ResourceKey, data: Record<string, unknown>): Promise<ReadonlySet<string>> {
    if (key.kind !== 'Environment') return new Set();
    const others = (await this.store.listResources()).filter((r) => !sameKey(r, key));
    const index = new SpecIndex(loadDocuments([...documentsOf(others), { path: uniquePathOf(key), data: structuredClone(data) }]).specs);
    const spec = index.find('Environment', key.project, key.name)[0];
    return spec ? sensitiveKeysOf(spec, index) : new Set([ALL_SENSITIVE]);
  }

  /** Deletes a spec, unless other specs still need it. */
  delete(key: ResourceKey, change: SystemChange, precondition: Pick<Precondition, 'ifMatch'> = {}): Promise<void> {
    return this.serialized(() => this.redoneWhenStale(key, () => this.deleteOnce(key, change, precondition)));
  }

  private async deleteOnce(key: ResourceKey, change: SystemChange, precondition: Pick<Precondition, 'ifMatch'>): Promise<void> {
    const held = await this.get(key);
    checkPrecondition(key, held, precondition);
    const { findings } = await this.validateChange(key);
    if (findings.length > 0) throw new SystemError(`other specs still use ${key.kind} ${key.name}: change them first`, 409, findings);
    if (await this.store.deleteResource(key, change, { generation: held.generation })) this.changed({ key, outcome: 'deleted', actor: change.actor });
  }

  /** A new environment from a template, with values for the template's variables. */
  launch(
    input: { project: string; name: string; template: { name: string; version: string }; variables?: Record<string, string> },
    change: SystemChange,
  ): Promise<Put> {
    return this.serialized(() => this.launchNow(input, change));
  }

  private async launchNow(
    input: { project: string; name: string; template: { name: string; version: string }; variables?: Record<string, string> },
    change: SystemChange,
  ): Promise<Put> {
    const exists = () => new SystemError(`environment ${input.project}/${input.name} already exists: update it instead`, 409);
    if (await this.store.getResource({ kind: 'Environment', project: input.project, name: input.name })) throw exists();
    const variables = Object.entries(input.variables ?? {}).map(([name, value]) => ({ name, value }));
    // Create only, checked in the write's transaction: two replicas launching one name make one.
    return this.putNow(
      {
        apiVersion: 'eaas.envmgmt.io/v1',
        kind: 'Environment',
        metadata: { name: input.name, project: input.project },
        spec: { template: input.template, ...(variables.length > 0 ? { variables } : {}) },
      },
      change,
      undefined,
      { ifNoneMatch: '*' },
    ).catch((e: unknown) => {
      throw e instanceof PreconditionFailed ? exists() : e;
    });
  }

  /** A revision loaded and validated, refused with its findings when it has errors (see sync.ts). */
  checkRevision(files: readonly SourceFile[], revision: string, root = ''): CheckedRevision {
    return checkRevision(files, revision, root);
  }

  /** The same check over a validation made elsewhere (off the event loop: see validate-off-thread.ts). */
  checkedRevision(validation: SourceValidation, revision: string): CheckedRevision {
    return checkedRevision(validation, revision);
  }

  /** Git to system: see sync.ts. */
  applyRevision(files: readonly SourceFile[] | CheckedRevision, revision: string, change: GitChange, options: ApplyOptions = {}): Promise<ApplyResult> {
    return applyRevision(this.store, files, revision, change, options);
  }

  /** Where the system and a checkout differ: see sync.ts. */
  drift(checkout: LoadResult, scope?: (kind: string, project: string) => boolean, sensitiveNames: readonly string[] = []): Promise<Drift[]> {
    return driftFrom(this.store, checkout, scope, sensitiveNames);
  }

  /** System to Git: see sync.ts. */
  exportTo(checkout: LoadResult, options: ExportOptions = {}): Promise<ExportPlan> {
    return exportPlan(this.store, checkout, options);
  }
}

export type { CheckedRevision, Drift } from './sync.js';
export { SystemError } from './errors.js';
