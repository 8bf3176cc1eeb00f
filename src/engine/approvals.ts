// Approval gates: which a plan needs, what an approval is bound to, and the decision that counts.
// Pure: the review flow records decisions and the runs flow reads them through these.
import { DELETION_GATE } from './deletion.js';
import type { Plan } from './plan/types.js';
import { waveGate } from './plan/waves.js';

/**
 * A gate a bare `/approve` leaves: a bulk deletion, and a rollout's wave. Approved by name only, so
 * that approving the environments' gates never deletes a project, or lets a wave go, by the way.
 */
export const approvedByNameOnly = (gate: string) => gate === DELETION_GATE || gate.startsWith(waveGate(''));

/** A decision on a gate, as the store keeps it. */
export interface GateDecision {
  gate: string;
  user: string;
  decision: 'approve' | 'reject';
  /** ISO-8601: the latest decision on a gate counts. */
  at: string;
}

/** Approval gates (activity ids) of a plan, each with the environments that need it. */
export function gatesOf(plan: Plan): Map<string, string[]> {
  const gates = new Map<string, string[]>();
  for (const run of plan.runs) {
    for (const gate of run.approvals) gates.set(gate, [...(gates.get(gate) ?? []), `${run.project}/${run.environment}`]);
  }
  return new Map([...gates].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The latest decision on each gate for one commit. */
export function decisionsByGate<T extends GateDecision>(decisions: readonly T[]): Map<string, T> {
  const latest = new Map<string, T>();
  for (const d of [...decisions].sort((a, b) => (a.at < b.at ? -1 : 1))) latest.set(d.gate, d);
  return latest;
}

/**
 * What an approval is bound to: the head commit, and the base branch whose rules admitted it. A new
 * push, or a change of the base, asks for approvals anew.
 */
export const approvalSubject = (pr: { headSha: string; baseRef: string }) => `${pr.headSha}:${pr.baseRef}`;
