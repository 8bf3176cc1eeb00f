// Which step of destroying an environment comes next (see DestroyStep in views/environments.ts),
// decided from its runs: the Destroy page shows it, and the action takes only that one.
import { UNFINISHED, type RunRecord } from '../system/records.js';
import type { Context } from './context.js';
import type { DestroyStep } from './views/environments.js';

/** From an environment's runs, newest first. */
export function destroyStepOf(runs: readonly RunRecord[]): DestroyStep {
  // A run that waits or goes would build or change what the deletion leaves nothing to destroy with.
  if (runs.some((r) => UNFINISHED.includes(r.status))) return 'wait';
  // The last run that ran (one superseded or not run changed nothing).
  const last = runs.find((r) => r.status !== 'superseded' && r.status !== 'not_run');
  return !last || (last.action === 'destroy' && last.status === 'success') ? 'delete' : 'run';
}

/** How many of an environment's newest runs decide: a run still waiting is among them (newer ones supersede it). */
const RUNS_READ = 50;

export async function destroyStepFor(ctx: Context, project: string, name: string): Promise<DestroyStep> {
  return destroyStepOf(await ctx.service.records.listRuns({ project, environment: name, limit: RUNS_READ }));
}
