// Kysely's view of the tables. Column types are the lowest common denominator of SQLite and
// PostgreSQL (text and integer) so that one set of migrations and queries serves both: JSON is
// stored as text and timestamps as ISO-8601 text.
import type { Generated } from 'kysely';

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
}

export interface RunsTable {
  /** Insertion order: created_at alone cannot order runs created within the same millisecond. */
  seq: Generated<number>;
  id: string;
  project: string;
  environment: string;
  action: 'deploy' | 'destroy';
  revision: string;
  status: 'queued' | 'waiting' | 'in_progress' | 'success' | 'failure' | 'cancelled';
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

export interface Database {
  resources: ResourcesTable;
  sync_events: SyncEventsTable;
  runs: RunsTable;
  approvals: ApprovalsTable;
  deliveries: DeliveriesTable;
  meta: MetaTable;
}
