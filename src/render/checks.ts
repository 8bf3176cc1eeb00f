// Check run outputs: validation findings as annotations (the GitHub port sends them 50 a request,
// as GitHub takes them), the plan, and the approval gates.
import { approvedByNameOnly } from '../engine/approvals.js';
import type { Finding } from '../specs/findings.js';
import type { Plan } from '../engine/plan/types.js';
import { gateCount, renderPlan, type PlanContext } from './plan-markdown.js';
import { summaryLine, type Summary } from './findings.js';
import { codeSpan, firstAndMore, plural, userText } from './fit.js';
import { layoutRoot } from '../specs/layout.js';
import { CONFIG_PATH } from '../config/config.js';

/** A check run's annotation, as GitHub takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title: string;
}

/** A check run's output, as GitHub takes it (the port sends annotations 50 a request). */
export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: Annotation[];
}

export const VALIDATE_CHECK = 'envsync/validate';
export const PLAN_CHECK = 'envsync/plan';
export const approvalCheckName = (gate: string) => `envsync/approval: ${gate}`;


export function annotationsOf(findings: readonly Finding[], root: string): Annotation[] {
  const base = layoutRoot(root);
  const prefix = base === '' ? '' : `${base}/`;
  return findings.map((f) => ({
    // The configuration is at the repository's top, whatever the layout root.
    path: f.file === CONFIG_PATH || f.file.startsWith(prefix) ? f.file : `${prefix}${f.file}`,
    start_line: f.line,
    end_line: f.line,
    start_column: f.column,
    end_column: f.column,
    annotation_level: f.severity === 'error' ? 'failure' : 'warning',
    title: `envsync ${f.code}`,
    message: f.message,
  }));
}

/** The validate check's output, with an annotation per finding. */
export function validateOutput(findings: readonly Finding[], summary: Summary, root: string): CheckOutput {
  const title = summary.errors > 0 ? `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}` : summary.warnings > 0 ? `valid, ${plural(summary.warnings, 'warning')}` : 'all specs valid';
  const text = `${summaryLine(summary)}\n\nEach finding is annotated on its line in "Files changed".`;
  return { title, summary: text, annotations: annotationsOf(findings, root) };
}

export function planOutput(plan: Plan, context: PlanContext = {}): CheckOutput {
  const s = plan.summary;
  const rendered = renderPlan(plan, undefined, context);
  return {
    title: `${plural(s.create + s.update + s.delete, 'change')}, ${plural(s.deploys + s.destroys, 'run')}, ${plural(gateCount(plan, context), 'gate')} to approve`,
    summary: rendered.checkSummary,
    text: rendered.checkText,
  };
}

/** Environments an approval check names; the plan check lists them all. */
const ENVIRONMENTS_NAMED = 50;

/** An approval gate's check output; `environments` are named when known (they are when the check is created). */
export function approvalOutput(gate: string, environments: readonly string[], state: { approvedBy?: string; rejectedBy?: string; reason?: string }): CheckOutput {
  // Named up to a point: a gate a fleet of thousands waits for must not outgrow the check's summary.
  const named = firstAndMore(environments.map((e) => codeSpan(e)), ENVIRONMENTS_NAMED, (left) => `${left} more environments`);
  const which = `Gate ${codeSpan(gate)}${environments.length ? ` of ${named}` : ''}`;
  if (state.approvedBy) return { title: `approved by @${state.approvedBy}`, summary: `${which}: approved by @${state.approvedBy} for this commit.` };
  if (state.rejectedBy) return { title: `rejected by @${state.rejectedBy}`, summary: `${which}: rejected by @${state.rejectedBy}${state.reason ? `: ${userText(state.reason)}` : ''}.` };
  return {
    title: 'waiting for approval',
    summary: approvedByNameOnly(gate)
      ? `${which} needs an approval for this commit, by name: comment ${codeSpan(`/approve ${gate}`)} as a reviewer with write access or a listed approver (a bare \`/approve\` leaves it).`
      : `${which} needs an approval for this commit: comment \`/approve\` (or ${codeSpan(`/approve ${gate}`)}) as a reviewer with write access or a listed approver.`,
  };
}

/** The deletion gate's check output: what the change deletes, then the gate's state (approved only by name). */
export function deletionOutput(deletions: readonly { reason: string }[], state: { approvedBy?: string; rejectedBy?: string; reason?: string } = {}): CheckOutput {
  const gate = approvalOutput('deletion', [], state);
  const waiting = 'Gate `deletion` needs an approval for this commit, by name: comment `/approve deletion` as a reviewer with write access or a listed approver (a bare `/approve` leaves it).';
  const said = state.approvedBy || state.rejectedBy ? gate.summary : waiting;
  return { title: gate.title, summary: `This change ${deletions.map((d) => d.reason).join('; ')}. Nothing of it is deleted or destroyed until the gate is approved.\n\n${said}` };
}
