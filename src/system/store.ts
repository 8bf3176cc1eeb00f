// The store: envsync's record of what the system holds (resources, runs, approvals, webhook
// deliveries) and of how it changed (sync events). One interface, two backends: SQLite for a single
// instance with nothing to set up, PostgreSQL when several replicas share state.
import { connect } from './connect.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';

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
};

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
}

export interface ApplyRevisionInput {
  revision: string;
  /** The full desired set at that revision: whatever is stored and absent here is deleted. */
  resources: ResourceInput[];
  trigger: 'webhook' | 'manual';
  actor: string | null;
}

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
export type RunStatus = 'queued' | 'waiting' | 'in_progress' | 'success' | 'failure' | 'cancelled';

export interface RunRecord {
  id: string;
  project: string;
  environment: string;
  action: RunAction;
  revision: string;
  status: RunStatus;
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
}

export type NewRun = Omit<RunRecord, 'createdAt' | 'startedAt' | 'finishedAt'>;
export type RunPatch = Partial<Pick<RunRecord, 'status' | 'activities' | 'outputs' | 'startedAt' | 'finishedAt'>>;

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
  listResources(filter?: { project?: string; kind?: string }): Promise<StoredResource[]>;
  getResource(key: ResourceKey): Promise<StoredResource | undefined>;
  /** Makes the stored set equal to the revision's, in one transaction, serialized with every other resource write. */
  applyRevision(input: ApplyRevisionInput): Promise<ApplyResult>;
  getAppliedRevision(): Promise<string | undefined>;
  putResource(resource: ResourceInput, event: SystemChange): Promise<'created' | 'updated' | 'unchanged'>;
  deleteResource(key: ResourceKey, event: SystemChange): Promise<boolean>;
  /** In id order; `since` is an event id and only later events are returned. */
  listSyncEvents(filter?: { project?: string; since?: number; limit?: number }): Promise<SyncEvent[]>;

  createRun(run: NewRun): Promise<RunRecord>;
  /** Throws when no run has that id. */
  updateRun(id: string, patch: RunPatch): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;

  /** Recording the same decision again keeps the first record; a changed decision replaces it. */
  recordApproval(approval: Omit<ApprovalRecord, 'at'>): Promise<void>;
  listApprovals(repo: string, pullNumber: number, sha: string): Promise<ApprovalRecord[]>;

  /** True the first time a delivery id is seen, false on a redelivery, also under concurrent calls. */
  recordDelivery(id: string, event: string): Promise<boolean>;
  /** Forgets a delivery whose work failed, so that redelivering it tries again. */
  forgetDelivery(id: string): Promise<void>;

  /** Small named values the app keeps across restarts (the config repository it syncs, say). */
  getSetting(name: string): Promise<string | undefined>;
  setSetting(name: string, value: string): Promise<void>;

  close(): Promise<void>;
}

export interface StoreOptions {
  /** `sqlite:PATH`, `:memory:`, a file path, or `postgres://…`; none means SQLite under `dataDir`. */
  url?: string;
  /** Where the default SQLite file lives; `./data` unless given. */
  dataDir?: string;
}

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const { db, backend } = connect(options);
  try {
    await migrateToLatest(db, backend);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStore(db);
}
