// Impact analysis and plan of a change touching 500 specs of a 10,000-spec repository, after both
// revisions are parsed (target: under 300 ms), and rendering that plan for GitHub.
import { planChange } from '../src/engine/plan/plan.js';
import { loadSpecs } from '../src/specs/load.js';
import { renderPlan } from '../src/render/plan-markdown.js';
import type { SourceFile } from '../src/specs/source.js';
import { generateRepository } from './generate-repo.js';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPlan } from '../src/cli/plan.js';
import { validateLoaded } from '../src/engine/validate-change.js';
import { validateSources } from '../src/engine/validate.js';
import { assembleLoad, fileLoader, loadFile, type FileLoad } from '../src/specs/load.js';
import { validateDirectory } from '../src/validate-directory.js';
import { writeRepository } from './generate-repo.js';
import { median, ms, time, times, withSpread } from './measure.js';

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

export async function benchPlan(workDir: string): Promise<string> {
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

${await smallChange(workDir, base)}`;
}

/** Ten environments of the repository edited: a pull request's usual size. */
function tenChanged(base: Map<string, string>): Map<string, string> {
  const head = new Map(base);
  for (const path of [...base.keys()].filter((p) => p.includes('/environments/')).slice(0, 10)) head.set(path, base.get(path)!.replace('[team-', '[squad-'));
  return head;
}

/**
 * A 10-spec change, each way side by side with a whole validation of the head in the same round:
 * the app's check with the base validated before (its loads kept, the rules across specs rerun for
 * what the change affects) and \`envsync plan\` of two commits (both read from git).
 */
async function smallChange(workDir: string, base: Map<string, string>): Promise<string> {
  const head = tenChanged(base);
  const [baseFiles, headFiles] = [toSources(base), toSources(head)];
  const loader = fileLoader();
  const baseLoads = new Map(baseFiles.map((f) => [f.path, { file: f, load: loadFile(f, loader) }]));
  const baseValidated = validateLoaded(assembleLoad(baseFiles, [...baseLoads.values()].map((b) => b.load)));
  const changed = new Set([...head.keys()].filter((p) => head.get(p) !== base.get(p)));
  const checkWithCachedBase = () => {
    const loads: FileLoad[] = headFiles.map((f) => (changed.has(f.path) ? loadFile(f, loader) : baseLoads.get(f.path)!.load));
    const validated = validateLoaded(assembleLoad(headFiles, loads), { base: baseValidated, changed });
    planChange({ base: { revision: 'base', loaded: baseValidated.loaded }, head: { revision: 'head', loaded: validated.loaded } });
  };

  const dir = join(workDir, 'plan-10');
  writeRepository(dir, base);
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=b', '-c', 'user.email=b@example.com', ...args]);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  for (const path of changed) writeFileSync(join(dir, path), head.get(path)!);
  git('commit', '-q', '-am', 'ten environments');
  const quiet = { cwd: dir, stdout: () => undefined, stderr: () => undefined };
  const cliPlan = () => runPlan({ dir, base: 'HEAD~1', head: 'HEAD', format: 'markdown', root: undefined, maxFileSize: 1 << 20 }, quiet);

  const app: number[] = [];
  const whole: number[] = [];
  const cli: number[] = [];
  const wholeDir: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    whole.push(time(() => validateSources(headFiles)));
    app.push(time(checkWithCachedBase));
    wholeDir.push(time(() => validateDirectory(dir, { root: '.', maxFileBytes: 1 << 20 })));
    const start = performance.now();
    await cliPlan();
    cli.push(performance.now() - start);
  }
  const ratio = (a: number[], b: number[]) => a.map((v, i) => v / b[i]!);
  return `## A 10-spec change in a ${SPECS.toLocaleString('en')}-spec repository

Ten environments edited. Each round measures the change one way and, right before it, a whole
validation of the same head, and the ratio is the round's own; ${ROUNDS} rounds, median and (in brackets) spread.

| measure | time | ratio to a whole validation | target |
| --- | --- | --- | --- |
| whole validation of the head (\`validateSources\`, files in memory) | ${withSpread(whole, ms)} | 1× | |
| the app's check with the base validated before: the head validated from it, planned against it | ${withSpread(app, ms)} | **${withSpread(ratio(app, whole), times)}** | ≤ 0.2× |
| \`envsync plan --base HEAD~1 --head HEAD\`, in process: both commits read from git, planned, the head validated | ${withSpread(cli, ms)} | **${withSpread(ratio(cli, wholeDir), times)}** of \`validateDirectory\` (${withSpread(wholeDir, ms)}) | |

\`envsync plan\` parses only the files that differ between its two revisions twice: a base file with
the head's bytes keeps the head's load.
`;
}
