// What a plan says: the spec changes a merge makes, the environments that will run and why, and the
// activity graph of each run.
import type { Finding } from '../../specs/findings.js';
import type { KindName } from '../../specs/kinds.js';
import { HOOK_TYPES } from '../../specs/schema/hooks.js';
import type { FieldChange } from './diff.js';

export type ChangeAction = 'create' | 'update' | 'delete';

export interface SpecRef {
  kind: KindName;
  project: string;
  name: string;
  version?: string;
}

export interface Change extends SpecRef {
  action: ChangeAction;
  file: string;
  fields: FieldChange[];
  /**
   * For a new template version: the versions of the same name before the change, and the one its
   * fields are compared with (the file it replaces, else the latest).
   */
  versionBump?: { from: string[]; comparedWith: string };
}

export type ReasonType =
  | 'environment-created'
  | 'environment-updated'
  | 'environment-deleted'
  | 'template-changed'
  | 'resource-template-changed'
  | 'static-resource-changed'
  | 'context-changed'
  | 'driver-changed'
  | 'dependency-runs';

export interface Reason extends SpecRef {
  type: ReasonType;
  /** For a spec the run reads: whether it was created, updated or deleted. */
  action?: ChangeAction;
}

/** A stage of a provider, or the type of the hook (or custom provider task) that runs. */
/** A hook's type, or a resource's provider stage. */
export const ACTIVITY_TYPES = [...HOOK_TYPES, 'stage'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export interface Activity {
  /** Stable and readable: `hook/onInit/change-approval`, `resource/network/apply`. */
  id: string;
  type: ActivityType;
  /** Runs only when the run so far succeeded, failed, or in any case (hooks onSuccess, onFailure, onCompletion). */
  when?: 'success' | 'failure' | 'always';
  dependsOn: string[];
}

export interface Run {
  project: string;
  environment: string;
  action: 'deploy' | 'destroy';
  template?: { name: string; version: string };
  reasons: Reason[];
  /** Ids of approval activities: the gates a reviewer must pass. */
  approvals: string[];
  activities: Activity[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
  deploys: number;
  destroys: number;
  /** The gates to approve, each counted once (one `/approve` passes a gate for every run that waits for it). */
  approvals: number;
  errors: number;
  warnings: number;
}

export interface Plan {
  base: string;
  head: string;
  summary: PlanSummary;
  changes: Change[];
  /** In dependency order: an environment comes after the environments it depends on. */
  runs: Run[];
  findings: Finding[];
}
