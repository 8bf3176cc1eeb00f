// The store's records and its interface: what the system holds and how it is read and written,
// as types. The implementation (kysely-store.ts and the modules it uses) and its callers depend on
// this file; only store.ts chooses the implementation, so nothing imports back into it.
import type { LifecycleStatus } from '../engine/run-lifecycle.js';
import type { KindName } from '../specs/kinds.js';
import type { JobQueue, NewJob, QueueSettings } from './jobs/queue.js';

/** Which stored specs a list holds; all when empty. */
export interface ResourceFilter {
  project?: string;
  kind?: string;
  /** Only those last changed in Git, or only those changed outside it since. */
  origin?: 'git' | 'system';
}

/** What a put did, and the generation (the version behind the ETag) the spec holds after it. */
export interface PutOutcome {
  outcome: 'created' | 'updated' | 'unchanged';
  generation: number;
}

export interface ResourceKey {
  kind: string;
  project: string;
  name: string;
  /** Only resource templates have versions. */
  version?: string;
}

export type ResourceInput = ResourceKey & { spec: unknown };

export type StoredResource = ResourceKey & {
  /** Stored as JSON with object keys sorted, so that equal specs compare equal whatever their key order. */
  spec: unknown;
  /** The Git revision the resource was last applied at; null when it last changed outside Git. */
  revision: string | null;
  origin: 'git' | 'system';
  /** When the spec last changed (ISO-8601). */
  updatedAt: string;
  /**
   * The version of the spec: it changes whenever the spec does (a merge that only restamps the
   * revision leaves it) and is never reused, not even by a spec deleted and made again.
   */
  generation: number;
};

/** What a conditional write expects to find: the resource at this generation, or none (null). */
export interface Expected {
  generation: number | null;
}

/** A conditional write found the resource at another generation (null: absent); nothing was written. */
export class StaleWrite extends Error {
  constructor(
    readonly key: ResourceKey,
    readonly current: number | null,
  ) {
    super(`${key.kind} ${key.project}/${key.name} is ${current === null ? 'absent' : `at generation ${current}`}, not as the write expected`);
  }
}

export type SyncTrigger = 'webhook' | 'internal' | 'manual';
export type SyncOperation = 'create' | 'update' | 'delete';

export interface SyncEvent {
  id: number;
  at: string;
  trigger: SyncTrigger;
  actor: string | null;
  operation: SyncOperation;
  kind: string;
  project: string;
  name: string;
  version?: string;
  revision: string | null;
  /**
   * What an update changed: the paths of the fields (`spec.variables[name=replicas].value`), never
   * their values, at most FIELDS_RECORDED of them; absent for a create or a delete, and for events
   * recorded before envsync recorded them.
   */
  fields?: string[];
}

export interface ApplyRevisionInput {
  revision: string;
  /** The full desired set at that revision: whatever is stored and absent here is deleted. */
  resources: ResourceInput[];
  trigger: 'webhook' | 'manual';
  actor: string | null;
  /**
   * Which stored specs the revision speaks for (the projects its repository owns, the kinds that
   * sync from Git): decided inside the write, so that two repositories applying at once never
   * delete each other's specs. All when absent.
   */
  owns?: (key: ResourceKey) => boolean;
  /** The followed repository the revision comes from: its applied revision moves in the same commit. */
  repo?: string;
  /** The projects that repository claims at this revision, recorded in the same commit (a crash cannot leave them unrecorded). */
  projects?: string[];
  /** Its runner settings at this revision, recorded likewise. */
  runner?: RunnerSettings;
}

/** How a repository's runs are dispatched (`runs` of its `.github/envsync.yml`). */
export interface RunnerSettings {
  /** The sync branch, which holds the workflow: a dispatch names it. */
  branch: string;
  workflow: string;
  labels: Record<string, string[]>;
  defaultLabels: string[];
  /** Absent: envsync's own package at the dispatching app's version. */
  package?: string;
  /** The repository's own credential names (`sensitive.names`): its sealed secrets are handed to runs as the declared ones are. */
  sensitiveNames?: string[];
}

/** A config repository the system follows, and what it learnt of it. */
export interface ConfigRepository {
  /** OWNER/NAME. */
  repo: string;
  /** Learnt from its events; null until the first. */
  installationId: number | null;
  defaultBranch: string | null;
  /** Project names or globs it owns, from its `.github/envsync.yml` at its last applied push; null until then. */
  projects: string[] | null;
  /** Its `runs` settings at its last applied push (what a manual run is dispatched with); null until then. */
  runner: RunnerSettings | null;
  /** The revision of its sync branch the system applied last. */
  appliedRevision: string | null;
  followedAt: string;
}

export type ConfigRepositoryPatch = Partial<Pick<ConfigRepository, 'installationId' | 'defaultBranch' | 'projects'>>;

export interface ApplyResult {
  created: ResourceKey[];
  updated: ResourceKey[];
  deleted: ResourceKey[];
}

/** Who changed the system outside Git, and through which path. */
export interface SystemChange {
  trigger: 'internal' | 'manual';
  actor: string | null;
}

export type RunAction = 'deploy' | 'destroy';
export { RUN_STATUSES } from '../engine/run-lifecycle.js';
/** A run's status: see RUN_STATUSES in engine/run-lifecycle.ts, the decision that moves it. */
export type RunStatus = LifecycleStatus;

/** Statuses from which a run still moves; the others are final. */
export const UNFINISHED: readonly RunStatus[] = ['waiting', 'queued', 'in_progress'];
export const isFinished = (status: RunStatus) => !UNFINISHED.includes(status);

/** How a run started: a Git change (webhook), a change the system made itself (internal), someone pressed Run (manual). */
export type RunTrigger = 'webhook' | 'internal' | 'manual';

export interface RunRecord {
  id: string;
  project: string;
  environment: string;
  action: RunAction;
  revision: string;
  status: RunStatus;
  trigger: RunTrigger;
  /** Who: the merger or pusher (webhook), the API token's or CLI user's name (manual). */
  actor: string | null;
  /** Why it waits, was not run or was superseded: for people (the decision is remade from typed state). */
  reason: string | null;
  /** The run that took its place (status superseded): a dependency on this run follows it there. */
  supersededBy: string | null;
  activities: unknown;
  outputs: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Runs of a project, an environment, or one revision (the runs a merge started). */
export interface RunFilter {
  project?: string;
  environment?: string;
  revision?: string;
  /** Runs of these projects only (none: no run). */
  projects?: readonly string[];
  /** At most this many, the newest. */
  limit?: number;
}

/** A run to record; without a trigger, a Git change's (webhook) with no actor named. */
export type NewRun = Omit<RunRecord, 'createdAt' | 'startedAt' | 'finishedAt' | 'reason' | 'supersededBy' | 'trigger' | 'actor'> & Partial<Pick<RunRecord, 'trigger' | 'actor'>>;
export type RunPatch = Partial<Pick<RunRecord, 'status' | 'activities' | 'outputs' | 'startedAt' | 'finishedAt' | 'reason' | 'supersededBy'>>;

/** A merged pull request whose approvals a run honours: its number and what its approvals were bound to. */
export interface ApprovalSource {
  number: number;
  subject: string;
}

/** What a run needs to be dispatched, decided when the merge planned it. */
export interface RunDispatch {
  /** Its place in the merge's runs (dependency order). */
  order: number;
  /** PROJECT/ENVIRONMENT. */
  environment: string;
  action: RunAction;
  /** The sync branch: workflow_dispatch needs a branch, the runner then checks out `sha`. */
  branch: string;
  workflow: string;
  /** The commit the runner checks out; none when a destroy has no earlier revision to run. */
  sha?: string;
  gates: string[];
  /** Runs of the same merge that must succeed first. */
  after: string[];
  labels: string[];
  /** The merged pull requests whose approvals count for its gates (several when a push merged several). */
  approvals: ApprovalSource[];
  /** The package and exact version the runner installs (`runs.package`); absent: envsync's own at the dispatching app's version. */
  package?: string;
  /**
   * The specs the run reads (its environment's closure at the revision it runs, for a destroy the one
   * before): the app hands its runner the sealed secrets of these, and of no other. Absent on runs
   * recorded before runs recorded it: the closure at the time is taken.
   */
  reads?: { kind: KindName; project: string; name: string; version?: string }[];
  /** Its wave in a rollout of several (`rollout.waves`): index from 0, of how many. */
  wave?: { name: string; index: number; of: number };
  /** The waves (of its merge, or of an older merge whose run it superseded) that must succeed first, each as a whole. */
  afterWaves?: { revision: string; index: number }[];
}

/** A run's life on GitHub: each step recorded once it is done, so that a repeated job skips it. */
export interface RunTracking {
  runId: string;
  /** OWNER/REPO. */
  repo: string;
  dispatch: RunDispatch;
  deploymentId: number | null;
  /** Set before the dispatch request, so that a job resumed after a crash looks for the workflow run first. */
  dispatchRequestedAt: string | null;
  dispatchedAt: string | null;
  /** The workflow run carrying it out; another workflow run naming the same run is a duplicate. */
  workflowRunId: number | null;
  /** When the run's sealed secrets were handed to its runner: once, never again. */
  secretsHandedAt: string | null;
}

/** What a run's tracking starts with: the rest is recorded step by step. */
export type NewTracking = Pick<RunTracking, 'repo' | 'dispatch'>;

export type TrackingPatch = Partial<Pick<RunTracking, 'deploymentId' | 'dispatchRequestedAt' | 'dispatchedAt' | 'workflowRunId'>>;

/** What became of a push to a followed repository's sync branch. */
export interface PushRecord {
  repo: string;
  sha: string;
  /**
 * applied; stale (older than, or diverged from, what the system applied); invalid (does not validate,
 * or claims a project another repository owns); held (a mass deletion waiting for its approval); ignored.
 */
  outcome: 'applied' | 'stale' | 'invalid' | 'ignored' | 'held';
  detail: string;
  at: string;
}

export type DeliveryOutcome = 'queued' | 'requeued' | 'duplicate';

export interface ApprovalRecord {
  repo: string;
  pullNumber: number;
  sha: string;
  gate: string;
  user: string;
  decision: 'approve' | 'reject';
  at: string;
}

export interface Store {
  /** Sorted by kind, project, name, version (code-unit order, the same on both backends). */
  listResources(filter?: ResourceFilter): Promise<StoredResource[]>;
  /** The projects that hold at least one spec, sorted: read without reading the specs. */
  listProjects(): Promise<string[]>;
  getResource(key: ResourceKey): Promise<StoredResource | undefined>;
  /** Makes the stored set equal to the revision's, in one transaction, serialized with every other resource write. */
  applyRevision(input: ApplyRevisionInput): Promise<ApplyResult>;
  /** How many resource writes the store has committed (across every process): a read of the resources is current while it stays the same. */
  writeCount(): Promise<number>;
  /** The revision a followed repository applied last; without one, the last revision applied from anywhere. */
  getAppliedRevision(repo?: string): Promise<string | undefined>;
  /** With `expected`, checked inside the write's transaction: throws StaleWrite when it does not hold. */
  /** Stores a spec changed outside Git; answers what happened and the generation the spec holds now (its ETag). */
  putResource(resource: ResourceInput, event: SystemChange, expected?: Expected): Promise<PutOutcome>;
  /** With `expected`, checked inside the write's transaction: throws StaleWrite when it does not hold. */
  deleteResource(key: ResourceKey, event: SystemChange, expected?: Expected): Promise<boolean>;
  /** The last event of each spec of `keys` that has one (what made it hold what it holds now), read by the spec, not through the history. */
  lastSyncEvents(keys: readonly ResourceKey[]): Promise<SyncEvent[]>;
  /** In id order; `since` is an event id and only later events are returned; `newest`: the newest first (with `limit`, the newest ones). */
  listSyncEvents(filter?: { project?: string; projects?: readonly string[]; since?: number; limit?: number; newest?: boolean }): Promise<SyncEvent[]>;

  /** Creates a run, with its GitHub tracking when given, in one commit; throws when the id exists. */
  /** Records a run (with its tracking, and a job that takes it further, in the same commit). */
  createRun(run: NewRun, tracking?: NewTracking, job?: NewJob): Promise<RunRecord>;
  getTracking(runId: string): Promise<RunTracking | undefined>;
  updateTracking(runId: string, patch: TrackingPatch): Promise<RunTracking>;
  /** Runs of a repository not finished (waiting, queued, in progress), with their tracking, in creation order. */
  listUnfinishedRuns(repo: string): Promise<{ run: RunRecord; tracking: RunTracking }[]>;
  /** The runs of a merge (or manual runs at that revision) that still have their tracking, in creation order, whatever their status. */
  listRevisionRuns(revision: string): Promise<{ run: RunRecord; tracking: RunTracking }[]>;
  /** Records that the run's secrets are handed out now; false when they were already (by this or another process). */
  claimRunSecrets(runId: string, at: string): Promise<boolean>;
  /**
   * Forgets what is only bookkeeping once it is older than `before` (ISO-8601): the GitHub tracking
   * of runs that finished (the runs themselves stay, as history) and webhook deliveries.
   */
  prune(before: string): Promise<{ trackings: number; deliveries: number }>;
  /** Throws when no run has that id. */
  updateRun(id: string, patch: RunPatch): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /** How many runs have each status (metrics). */
  countRuns(): Promise<Partial<Record<RunStatus, number>>>;

  /**
   * Recording the same decision again keeps the first record; a changed decision replaces it when it
   * was made later (`at`, the command's time; now by default).
   */
  recordApproval(approval: Omit<ApprovalRecord, 'at'> & { at?: string }): Promise<void>;
  /** A pull request's decisions on one subject (head and base), or without `sha` on every one. */
  listApprovals(repo: string, pullNumber: number, sha?: string): Promise<ApprovalRecord[]>;

  /**
   * A webhook delivery accepted: the delivery and its job committed together (`job`'s key is the
   * delivery's). A redelivery queues nothing, unless its job failed for good: then it runs again.
   */
  acceptDelivery(delivery: { id: string; event: string }, job: NewJob): Promise<DeliveryOutcome>;
  /** The durable job queue, in the same database. */
  readonly jobs: JobQueue;

  recordPush(push: Omit<PushRecord, 'at'>): Promise<void>;
  /** Newest first. */
  listPushes(repo: string, limit?: number): Promise<PushRecord[]>;

  /** Throws when the database does not answer (readiness). */
  ping(): Promise<void>;

  /** Starts following a repository; true when it was not followed yet. */
  followRepository(repo: string): Promise<boolean>;
  /** Stops following it (its specs stay in the system); true when it was followed. */
  unfollowRepository(repo: string): Promise<boolean>;
  /** The followed repositories, by name. */
  listRepositories(): Promise<ConfigRepository[]>;
  /** A followed repository (names compare without case, as GitHub's do); undefined when it is not followed. */
  getRepository(repo: string): Promise<ConfigRepository | undefined>;
  /** Records what was learnt of a followed repository; nothing when it is not followed. */
  updateRepository(repo: string, patch: ConfigRepositoryPatch): Promise<void>;

  close(): Promise<void>;
}

/**
 * What the layers above the system read and write through it: the records of runs, approvals,
 * pushes, deliveries, followed repositories and jobs. Resources are not among them: a spec is
 * written only through SystemService, which validates it (and reads of resources go through it
 * too, masked where the caller needs it).
 */
export type Records = Omit<Store, 'listResources' | 'listProjects' | 'getResource' | 'applyRevision' | 'writeCount' | 'putResource' | 'deleteResource' | 'close'>;

export interface StoreOptions {
  /** `sqlite:PATH`, `:memory:`, a file path, or `postgres://…`; none means SQLite under `dataDir`. */
  url?: string;
  /** Where the default SQLite file lives; `./data` unless given. */
  dataDir?: string;
  /** The job queue's attempts, lease and polling. */
  queue?: Partial<QueueSettings>;
  /** Where the job queue's own log lines go (graphile-worker's, on PostgreSQL). */
  log?: (level: string, message: string, meta?: object) => void;
}

/** The key of a delivery's job: a redelivery finds it by this. */
export const deliveryKey = (id: string) => `delivery:${id}`;
