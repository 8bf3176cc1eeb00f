// A plan too large for GitHub is folded, never cut silently: the comment keeps the summary and says
// where the rest is; the check run carries as much as fits and says how to get the whole plan.
import { describe, expect, it } from 'vitest';
import { planChange } from '../../src/engine/plan/plan.js';
import { loadSpecs } from '../../src/specs/load.js';
import { renderPlan, renderPlanMarkdown, PLAN_MARKER } from '../../src/render/plan-markdown.js';
import { CHECK_TEXT_LIMIT, COMMENT_LIMIT } from '../../src/render/fit.js';
import { generateRepository } from '../../bench/generate-repo.js';
import { sources } from '../helpers/repo.js';

function bigPlan() {
  const base = generateRepository(1000); // 5 projects of 200 specs
  const head = new Map(base);
  for (const [path, text] of head) {
    // Every environment template changes, so every environment runs.
    if (path.includes('/environmenttemplates/')) head.set(path, text.replace("value: '[demo]'", "value: '[changed]'"));
  }
  const toFiles = (m: Map<string, string>) => sources(Object.fromEntries(m));
  return planChange({ base: { revision: 'base', loaded: loadSpecs(toFiles(base)) }, head: { revision: 'head', loaded: loadSpecs(toFiles(head)) } });
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('a plan larger than GitHub allows', () => {
  const plan = bigPlan();
  const full = renderPlanMarkdown(plan);
  const rendered = renderPlan(plan);
  const sections = plan.changes.length + plan.runs.length;

  it('is really larger than a comment, with one section per change and per run', () => {
    expect(plan.summary.update).toBe(100);
    expect(plan.summary.deploys).toBe(495);
    expect(full.length).toBeGreaterThan(10 * COMMENT_LIMIT);
    expect(count(full, '<details>')).toBe(sections);
  });

  it('keeps the comment within 65,536 characters, marked for in-place updates', () => {
    expect(rendered.comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(rendered.comment.startsWith(PLAN_MARKER)).toBe(true);
  });

  it('says in the comment how many sections are in the check run instead, and that number is right', () => {
    const shown = count(rendered.comment, '<details>');
    const note = /> (\d+) sections of detail did not fit in this comment: the `envsync\/plan` check run has them\./.exec(rendered.comment);
    expect(note).not.toBeNull();
    expect(shown).toBeGreaterThan(0);
    expect(shown + Number(note![1])).toBe(sections);
  });

  it('lists the first 50 environments in the summary and says how many more there are', () => {
    expect(count(rendered.comment.split('#### ')[0]!, '| deploy |')).toBe(50);
    expect(rendered.comment).toContain('…and 445 more environments, listed in the `envsync/plan` check run.');
  });

  it('keeps the check run summary and text within 65,535 characters each', () => {
    expect(rendered.checkSummary.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);
    expect(rendered.checkText.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);
  });

  it('lists every environment run in the check run before the details, and says how to get what did not fit', () => {
    expect(rendered.checkText.startsWith('\n#### All environment runs\n| environment | run | why | approvals |')).toBe(true);
    expect(count(rendered.checkText, '| deploy |')).toBe(495);
    const note = /> (\d+) more sections of detail did not fit in a check run \(GitHub allows 65535 characters\): run `envsync plan --base base --head head` for the whole plan\./.exec(rendered.checkText);
    expect(note).not.toBeNull();
    // Runs rows and the header are blocks too: every block is either shown or counted.
    const shown = count(rendered.checkText, '<details>') + count(rendered.checkText, '| deploy |') + 1;
    expect(shown + Number(note![1])).toBe(sections + plan.runs.length + 1);
  });
});

describe('a plan with many findings', () => {
  const base = bigPlan();
  const findings = Array.from({ length: 45 }, (_, i) => ({
    file: `projects/p/resources/r${i}.yaml`, line: i + 1, column: 3, severity: 'error' as const, code: 'ES100', message: `finding ${i}`,
  }));
  const markdown = renderPlanMarkdown({ ...base, changes: [], runs: [], findings });

  it('lists the first 30 findings and says how many more there are and how to see them', () => {
    expect(count(markdown, '- ❌ ')).toBe(30);
    expect(markdown).toContain("<code>projects/p/resources/r29.yaml:30:3</code> ES100: finding 29");
    expect(markdown).not.toContain('finding 30\n');
    expect(markdown).toContain('- …and 15 more findings: run `envsync plan` to see them all');
  });

  it('lists all findings, with no "more" line, when there are 30 or fewer', () => {
    const few = renderPlanMarkdown({ ...base, changes: [], runs: [], findings: findings.slice(0, 30) });
    expect(count(few, '- ❌ ')).toBe(30);
    expect(few).not.toContain('more finding');
  });
});
