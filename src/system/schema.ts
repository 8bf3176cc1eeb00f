// Kysely's view of the tables. Column types are the lowest common denominator of SQLite and
// PostgreSQL (text and integer) so that one set of migrations and queries serves both: JSON is
// stored as text and timestamps as ISO-8601 text.
import type { Generated } from 'kysely';
import type { LifecycleStatus } from '../engine/run-lifecycle.js';

export interface ResourcesTable {
  kind: string;
  project: string;
  name: string;
  /** '' when the kind has no versions: NULL would defeat the primary key on both backends. */
  version: string;
  spec: string;
  revision: string | null;
  origin: 'git' | 'system';
  updated_at: string;
  /** The store's write count when the spec last changed (0: not changed since the column came): its ETag. */
  generation: number;
}

export interface SyncEventsTable {
  id: Generated<number>;
  at: string;
  trigger: 'webhook' | 'internal' | 'manual';
  actor: string | null;
  operation: 'create' | 'update' | 'delete';
  kind: string;
  project: string;
  name: string;
  version: string;
  revision: string | null;
  /** An update's changed fields, as a JSON list of paths; null for a create, a delete, and events recorded before. */
  fields: string | null;
}

export interface RunsTable {
  /** Insertion order: created_at alone cannot order runs created within the same millisecond. */
  seq: Generated<number>;
  id: string;
  project: string;
  environment: string;
  action: 'deploy' | 'destroy';
  revision: string;
  status: LifecycleStatus;
  trigger: Generated<'webhook' | 'internal' | 'manual'>;
  actor: string | null;
  superseded_by: string | null;
  reason: string | null;
  activities: string | null;
  outputs: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ApprovalsTable {
  repo: string;
  pull_number: number;
  sha: string;
  gate: string;
  login: string;
  decision: 'approve' | 'reject';
  at: string;
}

export interface DeliveriesTable {
  id: string;
  event: string;
  received_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface RunTrackingTable {
  run_id: string;
  repo: string;
  /** JSON: RunDispatch. */
  dispatch: string;
  /** bigint: PostgreSQL answers it as a string, SQLite as a number. */
  deployment_id: number | string | null;
  dispatch_requested_at: string | null;
  dispatched_at: string | null;
  workflow_run_id: number | string | null;
  secrets_handed_at: string | null;
}

export interface PushesTable {
  seq: Generated<number>;
  repo: string;
  sha: string;
  outcome: 'applied' | 'stale' | 'invalid' | 'ignored' | 'held';
  detail: string;
  at: string;
}

/** The config repositories the system follows (declared by the operator), and what it knows of each. */
export interface ConfigRepositoriesTable {
  /** OWNER/NAME, as GitHub spells it (compared without case). */
  repo: string;
  /** bigint: learnt from the repository's events; null until the first one. */
  installation_id: number | string | null;
  default_branch: string | null;
  /** JSON: the project names or globs it owns, from its `.github/envsync.yml` at the last applied push; null until then. */
  projects: string | null;
  applied_revision: string | null;
  /** JSON: RunnerSettings, from its `.github/envsync.yml` at the last applied push; null until then. */
  runner: string | null;
  followed_at: string;
}

export interface JobWorkersTable {
  id: string;
  process: string;
  heartbeat_at: string;
}

/** The embedded store's job queue (SQLite only). */
export interface JobsTable {
  id: Generated<number>;
  task: string;
  queue: string;
  key: string | null;
  payload: string;
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_at: string | null;
  created_at: string;
}

export interface Database {
  run_tracking: RunTrackingTable;
  pushes: PushesTable;
  config_repositories: ConfigRepositoriesTable;
  job_workers: JobWorkersTable;
  jobs: JobsTable;
  resources: ResourcesTable;
  sync_events: SyncEventsTable;
  runs: RunsTable;
  approvals: ApprovalsTable;
  deliveries: DeliveriesTable;
  meta: MetaTable;
}
