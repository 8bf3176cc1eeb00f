// Conversions between the store's records and table rows: keys, JSON columns, and the camelCase
// names callers see.
import type { Selectable } from 'kysely';
import type { ApprovalsTable, ResourcesTable, RunsTable, RunTrackingTable, SyncEventsTable } from './schema.js';
import type { ApprovalRecord, ResourceKey, RunDispatch, RunRecord, RunTracking, StoredResource, SyncEvent } from './records.js';

export function now(): string {
  return new Date().toISOString();
}

/** A key as stored: `version` is '' when there is none. */
export interface KeyColumns {
  kind: string;
  project: string;
  name: string;
  version: string;
}

export function toColumns(key: ResourceKey): KeyColumns {
  for (const field of ['kind', 'project', 'name'] as const) {
    if (typeof key[field] !== 'string' || key[field] === '') {
      throw new Error(`resource key needs a non-empty ${field}: got ${JSON.stringify(key[field]) ?? 'undefined'}`);
    }
  }
  if (key.version !== undefined && typeof key.version !== 'string') {
    throw new Error(`resource version must be a string: got ${typeof key.version}`);
  }
  return { kind: key.kind, project: key.project, name: key.name, version: key.version ?? '' };
}

export function toKey(columns: KeyColumns): ResourceKey {
  const { kind, project, name, version } = columns;
  return version === '' ? { kind, project, name } : { kind, project, name, version };
}

export function describeKey(key: KeyColumns): string {
  return `${key.kind} ${key.project}/${key.name}${key.version === '' ? '' : `@${key.version}`}`;
}

/** Code-unit order, so that both backends sort alike whatever the database collation. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareKeys(a: KeyColumns, b: KeyColumns): number {
  return (
    compareText(a.kind, b.kind) ||
    compareText(a.project, b.project) ||
    compareText(a.name, b.name) ||
    compareText(a.version, b.version)
  );
}

export function keyId(key: KeyColumns): string {
  return JSON.stringify([key.kind, key.project, key.name, key.version]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted: equal values give equal text, which is how specs are compared. */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) =>
      isRecord(v) ? Object.fromEntries(Object.keys(v).sort(compareText).map((k) => [k, v[k]])) : v,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${what} cannot be stored as JSON: ${reason}`, { cause: error });
  }
  if (text === undefined) throw new Error(`${what} cannot be stored as JSON: it is ${typeof value}`);
  return text;
}

export function optionalJson(value: unknown, what: string): string | null {
  return value === undefined ? null : toJson(value, what);
}

export function fromJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

export function toResource(row: Selectable<ResourcesTable>): StoredResource {
  return {
    ...toKey(row),
    spec: fromJson(row.spec),
    revision: row.revision,
    origin: row.origin,
    updatedAt: row.updated_at,
    generation: row.generation,
  };
}

export function toEvent(row: Selectable<SyncEventsTable>): SyncEvent {
  const { kind, project, name, version } = row;
  return {
    id: row.id,
    at: row.at,
    trigger: row.trigger,
    actor: row.actor,
    operation: row.operation,
    ...toKey({ kind, project, name, version }),
    revision: row.revision,
    ...(row.fields !== null && row.fields !== undefined ? { fields: JSON.parse(row.fields) as string[] } : {}),
  };
}

export function toRun(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    project: row.project,
    environment: row.environment,
    action: row.action,
    revision: row.revision,
    status: row.status,
    trigger: row.trigger,
    actor: row.actor,
    reason: row.reason,
    supersededBy: row.superseded_by,
    activities: fromJson(row.activities),
    outputs: fromJson(row.outputs),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** A bigint column: PostgreSQL answers it as text, SQLite as a number. */
export const optionalNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));

export function toTracking(row: Selectable<RunTrackingTable>): RunTracking {
  return {
    runId: row.run_id,
    repo: row.repo,
    dispatch: JSON.parse(row.dispatch) as RunDispatch,
    deploymentId: optionalNumber(row.deployment_id),
    dispatchRequestedAt: row.dispatch_requested_at,
    dispatchedAt: row.dispatched_at,
    workflowRunId: optionalNumber(row.workflow_run_id),
    secretsHandedAt: row.secrets_handed_at,
  };
}

export function toApproval(row: Selectable<ApprovalsTable>): ApprovalRecord {
  return {
    repo: row.repo,
    pullNumber: row.pull_number,
    sha: row.sha,
    gate: row.gate,
    user: row.login,
    decision: row.decision,
    at: row.at,
  };
}
