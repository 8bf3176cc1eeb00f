// Plans of 10, 500 and 5,000 changed specs in a 10,000-spec repository: how long planning and
// rendering take, and how much a reviewer (the comment), the check run and a tool (the JSON, the
// CLI's Markdown) get. Runs are grouped by cause, so the comment stays a screen or two whatever the
// change's size; the check run and the comment stay within GitHub's 65,536 characters.
import { planChange } from '../src/engine/plan/plan.js';
import { groupRuns } from '../src/engine/plan/groups.js';
import { loadSpecs } from '../src/specs/load.js';
import { renderPlan, renderPlanMarkdown } from '../src/render/plan-markdown.js';
import type { SourceFile } from '../src/specs/source.js';
import { generateRepository } from './generate-repo.js';
import { ms, time, times, withSpread } from './measure.js';

const SPECS = 10_000;
const ROUNDS = 5;
const SIZES = [10, 500, 5_000];

/** The first `n` environments (then resource templates) of the repository edited. */
function changed(base: Map<string, string>, n: number): Map<string, string> {
  const head = new Map(base);
  const edits: [RegExp, (t: string) => string][] = [
    [/\/environments\//, (t) => t.replace('[team-', '[squad-')],
    [/\/resourcetemplates\//, (t) => t.replace('directoryPath: modules/', 'directoryPath: modules/v2/')],
  ];
  let left = n;
  for (const [pattern, edit] of edits) {
    for (const path of [...base.keys()].filter((p) => pattern.test(p)).slice(0, left)) {
      head.set(path, edit(base.get(path)!));
      left--;
    }
  }
  if (left > 0) throw new Error(`the repository has too few specs to change ${n}`);
  return head;
}

const toSources = (files: Map<string, string>): SourceFile[] => [...files].map(([path, text]) => ({ path, size: Buffer.byteLength(text), content: Buffer.from(text) }));
const kb = (chars: number) => (chars < 10_000 ? `${chars.toLocaleString('en')} chars` : `${(chars / 1024).toFixed(0)} KB`);

export function benchPlanScale(): string {
  const base = generateRepository(SPECS);
  const rows: string[] = [];
  let first: number[] | undefined;
  for (const size of SIZES) {
    const head = changed(base, size);
    const planning: number[] = [];
    const rendering: number[] = [];
    let plan = planChange({ base: { revision: 'base', loaded: loadSpecs(toSources(base)) }, head: { revision: 'head', loaded: loadSpecs(toSources(head)) } });
    for (let round = 0; round < ROUNDS; round++) {
      const b = loadSpecs(toSources(base));
      const h = loadSpecs(toSources(head));
      planning.push(time(() => (plan = planChange({ base: { revision: 'base', loaded: b }, head: { revision: 'head', loaded: h } }))));
      rendering.push(time(() => renderPlan(plan)));
    }
    first ??= planning;
    const ratio = planning.map((p, i) => p / first![i]!);
    const rendered = renderPlan(plan);
    const json = JSON.stringify(plan, null, 2).length;
    rows.push(
      `| ${size.toLocaleString('en')} | ${plan.runs.length.toLocaleString('en')} in ${groupRuns(plan).length.toLocaleString('en')} groups | ${withSpread(planning, ms)} | ${withSpread(ratio, times)} | ${withSpread(rendering, ms)} | ${kb(rendered.comment.length)} | ${kb(rendered.checkSummary.length + rendered.checkText.length)} | ${kb(json)} | ${kb(renderPlanMarkdown(plan).length)} |`,
    );
  }
  return `## Plans of 10, 500 and 5,000 changes in a ${SPECS.toLocaleString('en')}-spec repository

The first environments (then resource templates) of the generated repository edited; both revisions
parsed before timing; ${ROUNDS} rounds, median and (in brackets) spread, each round's plan also as a ratio
to the same round's plan of 10 changes. Sizes are of one rendering.

| changes | runs | \`planChange\` | ratio to 10 changes | \`renderPlan\` | PR comment | check run (summary + text) | JSON | \`envsync plan\` Markdown |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Before runs were grouped (issue 17), the Markdown of 5,000 changes was 10.5 MB, and a comment listed
one row and drew one graph per environment; GitHub's limit for a comment or a check run is 65,536 characters.
`;
}
