// Impact analysis and plan of a change touching 500 specs of a 10,000-spec repository, after both
// revisions are parsed (target: under 300 ms), and rendering that plan for GitHub.
import { planChange } from '../src/engine/plan/plan.js';
import { loadSpecs } from '../src/specs/load.js';
import { renderPlan } from '../src/render/plan-markdown.js';
import type { SourceFile } from '../src/specs/source.js';
import { generateRepository } from './generate-repo.js';
import { median, ms, time } from './measure.js';

const SPECS = 10_000;
const ROUNDS = 7;

/** Edits 500 specs of every kind that matters to runs: the mix of a busy week's pull requests. */
function changeSpecs(files: Map<string, string>): { head: Map<string, string>; touched: number } {
  const quota: [RegExp, number, (t: string) => string][] = [
    [/\/environments\//, 250, (t) => t.replace('[team-', '[squad-')],
    [/\/resourcetemplates\//, 100, (t) => t.replace('directoryPath: modules/', 'directoryPath: modules/v2/')],
    [/\/environmenttemplates\//, 50, (t) => t.replace("value: '[demo]'", "value: '[changed]'")],
    [/\/resources\//, 50, (t) => t.replace("value: '[demo]'", "value: '[changed]'")],
    [/\/configcontexts\//, 25, (t) => t.replace('value: accesskey', 'value: rotated')],
    [/\/drivers\//, 25, (t) => t.replace('TF_LOG: DEBUG', 'TF_LOG: INFO')],
  ];
  const head = new Map(files);
  let touched = 0;
  for (const [pattern, count, edit] of quota) {
    const paths = [...files.keys()].filter((p) => pattern.test(p)).slice(0, count);
    for (const path of paths) {
      const text = files.get(path)!;
      const changed = edit(text);
      if (changed === text) throw new Error(`bench edit did nothing to ${path}`);
      head.set(path, changed);
      touched++;
    }
  }
  return { head, touched };
}

const toSources = (files: Map<string, string>): SourceFile[] =>
  [...files].map(([path, text]) => {
    const content = Buffer.from(text);
    return { path, size: content.length, content };
  });

export function benchPlan(): string {
  const base = generateRepository(SPECS);
  const { head, touched } = changeSpecs(base);
  const before = loadSpecs(toSources(base));
  const after = loadSpecs(toSources(head));

  const planning: number[] = [];
  const rendering: number[] = [];
  let plan = planChange({ base: { revision: 'base', loaded: before }, head: { revision: 'head', loaded: after } });
  for (let round = 0; round < ROUNDS; round++) {
    // A fresh load each round: the plan's caches are per snapshot, as they are per pull request.
    const b = loadSpecs(toSources(base));
    const h = loadSpecs(toSources(head));
    planning.push(time(() => (plan = planChange({ base: { revision: 'base', loaded: b }, head: { revision: 'head', loaded: h } }))));
    rendering.push(time(() => renderPlan(plan)));
  }
  const s = plan.summary;
  const activities = plan.runs.reduce((n, r) => n + r.activities.length, 0);
  return `## Plan of a ${touched}-spec change in a ${SPECS.toLocaleString('en')}-spec repository

The change edits ${touched} specs (250 environments, 100 resource templates, 50 environment templates,
50 static resources, 25 config contexts, 25 drivers). Both revisions are parsed before timing; median of ${ROUNDS} rounds.

| measure | time | target |
| --- | --- | --- |
| \`planChange\`: changes, impact, activity graphs, findings | **${ms(median(planning))}** | < 300 ms |
| \`renderPlan\`: comment and check run within GitHub's limits | ${ms(median(rendering))} | |

The plan: ${s.update} updated specs, ${s.unchanged.toLocaleString('en')} unchanged, ${s.deploys.toLocaleString('en')} environment runs with ${activities.toLocaleString('en')} activities, ${s.warnings} warnings.
`;
}
