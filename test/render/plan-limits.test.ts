// A plan too large for GitHub is folded, never cut silently: the comment keeps the summary and says
// where the rest is; the check run carries as much as fits and says how to get the whole plan.
import { describe, expect, it } from 'vitest';
import { planChange } from '../../src/engine/plan/plan.js';
import { loadSpecs } from '../../src/specs/load.js';
import { renderPlan, renderPlanMarkdown, PLAN_MARKER } from '../../src/render/plan-markdown.js';
import { groupRuns } from '../../src/engine/plan/groups.js';
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
  const groups = groupRuns(plan);
  /** Every block of detail: one per change, one listing the environments of each group too large for its row, one per distinct graph. */
  const sections = count(full, '<details>');
  const rows = (text: string) => text.split('\n').filter((l) => /^\| .* \| deploy \| /.test(l)).length;

  it('is really larger than a comment, with a section per change, per large group and per distinct graph', () => {
    expect(plan.summary.update).toBe(100);
    expect(plan.summary.deploys).toBe(495);
    expect(groups).toHaveLength(100);
    expect(full.length).toBeGreaterThan(COMMENT_LIMIT);
    expect(sections).toBe(plan.changes.length + groups.filter((g) => g.runs.length > 3).length + new Set(groups.map((g) => JSON.stringify([g.activities, g.changed]))).size);
  });

  it('keeps the comment within 65,536 characters, marked for in-place updates', () => {
    expect(rendered.comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(rendered.comment.startsWith(PLAN_MARKER)).toBe(true);
  });

  it('says in the comment how many sections did not fit and where they are, and the check run holds what it says', () => {
    const shown = count(rendered.comment, '<details>');
    const note = /> (\d+) sections? of detail did not fit in this comment: (.*)\.\n/.exec(rendered.comment)!;
    expect(shown).toBeGreaterThan(0);
    expect(shown + Number(note[1])).toBe(sections);
    // The check run holds the first sections as the comment does, so it holds those the comment left out only past `shown`.
    const inCheck = count(rendered.checkText, '<details>');
    const held = /the `envsync\/plan` check run has (\d+) of them/.exec(note[2]!);
    if (note[2] === 'the `envsync/plan` check run has them') expect(inCheck).toBe(sections);
    else if (held) expect(Number(held[1])).toBe(inCheck - shown);
    else {
      expect(note[2]).toBe('`envsync plan --base base --head head` prints them');
      expect(inCheck).toBeLessThanOrEqual(shown);
    }
  });

  it('lists the first 30 groups of runs in the summary and says how many more there are', () => {
    expect(rows(rendered.comment.split('#### ')[0]!)).toBe(30);
    expect(rendered.comment).toContain('…and 70 more groups of runs, listed in the `envsync/plan` check run.');
  });

  it('keeps the check run summary and text within 65,535 characters each', () => {
    expect(rendered.checkSummary.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);
    expect(rendered.checkText.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);
  });

  it('lists every group of runs in the check run before the details, and says how to get what did not fit', () => {
    expect(rendered.checkText.startsWith('\n#### All environment runs\n\n| environments | run | why | gates |')).toBe(true);
    expect(rows(rendered.checkText)).toBe(100);
    const note = /> (?:(\d+) more rows? of runs(?: and )?)?(?:(\d+) more sections? of detail)? did not fit in a check run \(GitHub allows 65535 characters\): `envsync plan --base base --head head` prints the whole plan\./.exec(rendered.checkText);
    expect(note?.[1]).toBeUndefined();
    expect(count(rendered.checkText, '<details>') + Number(note?.[2] ?? 0)).toBe(sections);
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

describe('a plan whose groups of runs alone are more than a check run holds', () => {
  it('lists as many rows as fit in the check run, and says how many did not', () => {
    const plan = bigPlan();
    const rendered = renderPlan(plan, { comment: COMMENT_LIMIT, check: 20_000 });
    const rows = rendered.checkText.split('\n').filter((l) => /^\| .* \| deploy \| /.test(l)).length;
    expect(rows).toBeGreaterThan(10);
    const note = /> (\d+) more rows of runs and (\d+) more sections of detail did not fit in a check run/.exec(rendered.checkText)!;
    expect(rows + Number(note[1])).toBe(100);
    expect(rendered.checkText.length).toBeLessThanOrEqual(20_000);
  });
});
