// A finished run's summary, as the runner writes it to its job summary and the app posts it on the
// merged pull request: failures first with the last lines of their logs, what did not finish, the rest
// folded, times only where they say something; within GitHub's limits whatever the number of
// activities. The graph is drawn only from results that are safe to draw (a runner writes them, so
// they are not trusted); its text is mermaid.test.ts's to check.
import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT } from '../../src/render/fit.js';
import { jobSummary } from '../../src/render/run-summary.js';
import { resultsProblem } from '../../src/runner/contract.js';
import { runEnvironment, type RunResults } from '../../src/runner/run.js';
import { exampleFiles } from '../golden/scenarios.js';

type Activity = RunResults['activities'][number];

const results = (activities: Activity[], status: RunResults['status'] = 'failure'): RunResults => ({ project: 'payments', environment: 'dev', action: 'deploy', revision: 'abc', status, activities, outputs: {} });
const graph = (summary: string) => /```mermaid\n([\s\S]*?)\n```/.exec(summary)?.[1];
/** The summary with its graph's text left out (only that there is one is checked here). */
const withoutGraph = (summary: string) => {
  expect(graph(summary)).toBeDefined();
  return summary.replace(/```mermaid\n[\s\S]*?\n```\n/, '```mermaid\n(the graph)\n```\n');
};

/** How a summary ends when the graph is drawn: the folded table closed, then the graph. */
const FOLDED_THEN_GRAPH = ['', '</details>', '', '```mermaid', '(the graph)', '```', ''];

/** The app's limit for the summary part of its comment: the comment's, less the link and marker after it. */
const COMMENT_TAIL = `[Workflow run](https://github.com/octo-org/octo-repo/actions/runs/289782451)\n<!-- envsync:run eeeeeeeeeeee-payments-dev-deploy -->\n`;
const comment = (r: RunResults) => jobSummary(r, { limit: COMMENT_LIMIT - COMMENT_TAIL.length - 1, trigger: 'started by a Git change, pushed by dev', more: 'the job summary of the workflow run has every row' });

/** What tofu init prints when its state bucket is gone. */
const TOFU_INIT_TAIL = [
  'Initializing the backend...',
  '╷',
  '│ Error: Failed to get existing workspaces: S3 bucket "example-state" does not exist.',
  '│',
  '│ The referenced S3 bucket must have been previously created. If the S3 bucket',
  '│ was created within the last minute, please wait for a minute or two and try',
  '│ again.',
  '╵',
];

/**
 * Twenty activities of a stack of four resources (no onFailure hook) whose network's `tofu init`
 * failed on its second attempt: the approval and the checkout before it succeeded, the other 17
 * were skipped. Times as the executor records them (ms since the epoch).
 */
function oneFailureOfTwenty(): RunResults {
  const T = 1_767_225_600_000;
  const stages = (resource: string, after: string) => {
    const ids = ['checkout', 'init', 'plan', 'apply', 'output'].map((s) => `resource/${resource}/${s}`);
    return ids.map((id, i): Activity => ({ id, type: 'stage', dependsOn: [i === 0 ? after : ids[i - 1]!], status: 'skipped', attempts: 0 }));
  };
  const activities: Activity[] = [
    { id: 'hook/onInit/change-approval', type: 'approval', dependsOn: [], status: 'success', attempts: 1, startedAt: T, finishedAt: T + 4 },
    ...stages('network', 'hook/onInit/change-approval'),
    ...stages('database', 'resource/network/output'),
    ...stages('queue', 'resource/network/output'),
    { id: 'resource/app/checkout', type: 'stage', dependsOn: ['resource/database/output', 'resource/queue/output'], status: 'skipped', attempts: 0 },
    { id: 'resource/app/task/render', type: 'driver', dependsOn: ['resource/app/checkout'], status: 'skipped', attempts: 0 },
    { id: 'resource/app/task/rollout', type: 'driver', dependsOn: ['resource/app/task/render'], status: 'skipped', attempts: 0 },
    { id: 'hook/onSuccess/smoke-test', type: 'http', dependsOn: ['resource/app/task/rollout'], when: 'success', status: 'skipped', attempts: 0 },
  ];
  const at = (id: string) => activities.find((a) => a.id === id)!;
  Object.assign(at('resource/network/checkout'), { status: 'success', attempts: 1, startedAt: T + 10, finishedAt: T + 850 });
  Object.assign(at('resource/network/init'), { status: 'failure', attempts: 2, startedAt: T + 860, finishedAt: T + 15_060, reason: 'tofu init in ghcr.io/example/opentofu-runner:1.7.2 exited with 1', logTail: TOFU_INIT_TAIL });
  return results(activities);
}

describe('the summary of a run where 1 of 20 activities failed and 17 were skipped', () => {
  const summary = jobSummary(oneFailureOfTwenty());

  it('leads with the failure and its log tail, folds the rest, and gives times only where they are a second or more', () => {
    expect(withoutGraph(summary)).toBe(
      [
        '### envsync deploy of `payments/dev`: failure',
        '',
        'Revision `abc`',
        '',
        '20 activities in 15.1 s: 1 failed, 2 succeeded, 17 skipped.',
        '',
        '#### ❌ `resource/network/init` · stage · 14.2 s · 2 attempts',
        '',
        'Reason: tofu init in ghcr.io/example/opentofu-runner:1.7.2 exited with 1',
        '',
        'The last 8 lines of its log:',
        '',
        '```',
        ...TOFU_INIT_TAIL,
        '```',
        '',
        '<details><summary>2 succeeded, 17 skipped</summary>',
        '',
        '| status | activity | type | time | reason |',
        '| --- | --- | --- | --- | --- |',
        '| ✅ success | `hook/onInit/change-approval` | approval |  |  |',
        '| ✅ success | `resource/network/checkout` | stage |  |  |',
        '| ⏭️ skipped | `resource/network/plan` | stage |  |  |',
        '| ⏭️ skipped | `resource/network/apply` | stage |  |  |',
        '| ⏭️ skipped | `resource/network/output` | stage |  |  |',
        '| ⏭️ skipped | `resource/database/checkout` | stage |  |  |',
        '| ⏭️ skipped | `resource/database/init` | stage |  |  |',
        '| ⏭️ skipped | `resource/database/plan` | stage |  |  |',
        '| ⏭️ skipped | `resource/database/apply` | stage |  |  |',
        '| ⏭️ skipped | `resource/database/output` | stage |  |  |',
        '| ⏭️ skipped | `resource/queue/checkout` | stage |  |  |',
        '| ⏭️ skipped | `resource/queue/init` | stage |  |  |',
        '| ⏭️ skipped | `resource/queue/plan` | stage |  |  |',
        '| ⏭️ skipped | `resource/queue/apply` | stage |  |  |',
        '| ⏭️ skipped | `resource/queue/output` | stage |  |  |',
        '| ⏭️ skipped | `resource/app/checkout` | stage |  |  |',
        '| ⏭️ skipped | `resource/app/task/render` | driver |  |  |',
        '| ⏭️ skipped | `resource/app/task/rollout` | driver |  |  |',
        '| ⏭️ skipped | `hook/onSuccess/smoke-test` | http |  |  |',
        ...FOLDED_THEN_GRAPH,
      ].join('\n'),
    );
  });

  it('is the same on the merged pull request, under how the run started', () => {
    expect(comment(oneFailureOfTwenty())).toBe(summary.replace('Revision `abc`', 'Started by a Git change, pushed by dev · revision `abc`'));
  });
});

describe("the summary of the demo's successful run", () => {
  /** The example's payments/dev deploy as the demo runs it, every gate approved, with the times of a run on a runner. */
  async function demoRun(): Promise<RunResults> {
    const run = await runEnvironment({ files: exampleFiles(), project: 'payments', environment: 'dev', action: 'deploy', revision: 'e'.repeat(40), dryRun: true, runtime: 'process', actions: false, approved: new Set(['hook/onInit/change-approval']), write: () => {} });
    const took: [RegExp, number][] = [[/\/apply$/, 41_730], [/\/plan$/, 11_820], [/\/init$/, 6_140], [/rollout$/, 27_500], [/preflight$/, 3_410], [/snapshot-check$/, 4_800], [/render$/, 2_050], [/\/output$/, 1_240], [/\/checkout$/, 870]];
    let clock = 1_767_225_600_000;
    for (const a of run.activities) {
      if (a.startedAt === undefined) continue;
      a.startedAt = clock;
      clock += took.find(([pattern]) => pattern.test(a.id))?.[1] ?? 240;
      a.finishedAt = clock;
    }
    return run;
  }

  it('says how long it took and folds every activity, with its time where it is a second or more', async () => {
    const run = await demoRun();
    expect(run.status).toBe('success');
    expect(withoutGraph(jobSummary(run))).toBe(
      [
        '### envsync deploy of `payments/dev`: success',
        '',
        'Revision `eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee`',
        '',
        '20 activities in 2 min 43 s: 19 succeeded, 1 skipped.',
        '',
        '<details><summary>19 succeeded, 1 skipped</summary>',
        '',
        '| status | activity | type | time | reason |',
        '| --- | --- | --- | --- | --- |',
        '| ✅ success | `hook/onInit/change-approval` | approval |  |  |',
        '| ✅ success | `hook/onInit/preflight` | container | 3.4 s |  |',
        '| ✅ success | `resource/network/checkout` | stage |  |  |',
        '| ✅ success | `resource/network/init` | stage | 6.1 s |  |',
        '| ✅ success | `resource/network/plan` | stage | 11.8 s |  |',
        '| ✅ success | `resource/network/plan/after/check-plan` | http |  |  |',
        '| ✅ success | `resource/network/apply` | stage | 41.7 s |  |',
        '| ✅ success | `resource/network/output` | stage | 1.2 s |  |',
        '| ✅ success | `resource/database/onInit/snapshot-check` | container | 4.8 s |  |',
        '| ✅ success | `resource/database/checkout` | stage |  |  |',
        '| ✅ success | `resource/database/init` | stage | 6.1 s |  |',
        '| ✅ success | `resource/database/plan` | stage | 11.8 s |  |',
        '| ✅ success | `resource/database/apply` | stage | 41.7 s |  |',
        '| ✅ success | `resource/database/output` | stage | 1.2 s |  |',
        '| ✅ success | `resource/app/checkout` | stage |  |  |',
        '| ✅ success | `resource/app/task/render` | driver | 2.0 s |  |',
        '| ✅ success | `resource/app/task/rollout` | driver | 27.5 s |  |',
        '| ✅ success | `hook/onSuccess/smoke-test` | http |  |  |',
        '| ⏭️ skipped | `hook/onFailure/page-on-call` | driver |  |  |',
        '| ✅ success | `hook/onCompletion/announce` | driver |  |  |',
        ...FOLDED_THEN_GRAPH,
      ].join('\n'),
    );
  });
});

describe('the summary of a run of 1,000 activities with 3 failures', () => {
  /** Each failure with a long reason and a log tail as long as a runner keeps; the others with chatty reasons. */
  function fleetRun(failures: readonly number[]): RunResults {
    const tail = (i: number) => Array.from({ length: 20 }, (_, n) => `resource r${i}: line ${n} ${'of a verbose tool '.repeat(4)}`.slice(0, 95));
    return results(
      Array.from({ length: 1000 }, (_, i): Activity => {
        if (failures.includes(i)) return { id: `resource/r${i}/apply`, type: 'stage', dependsOn: [], status: 'failure', attempts: 1, startedAt: 0, finishedAt: 61_000, reason: `tofu apply exited with 1: ${'x'.repeat(5000)}`, logTail: tail(i) };
        return { id: `resource/r${i}/apply`, type: 'stage', dependsOn: [], status: i % 3 === 0 ? 'skipped' : 'success', attempts: 1, startedAt: 0, finishedAt: 500, reason: `retried once: ${'connection reset by peer, '.repeat(4)}` };
      }),
    );
  }
  const failures = [17, 503, 998];
  const summary = comment(fleetRun(failures));

  it('stays within the comment GitHub takes, and says how much of the folded part did not fit', () => {
    expect(summary.length + COMMENT_TAIL.length + 1).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(summary).toMatch(/\n\d+ more activities not shown: the job summary of the workflow run has every row\.\n\n<\/details>\n$/);
    expect(graph(summary)).toBeUndefined();
  });

  it('leads with the 3 failures, each with its reason (clipped) and its whole log tail', () => {
    const lead = summary.slice(0, summary.indexOf('<details>'));
    const section = (i: number) =>
      [
        `#### ❌ \`resource/r${i}/apply\` · stage · 1 min 1 s`,
        '',
        `Reason: tofu apply exited with 1: ${'x'.repeat(1000 - 'tofu apply exited with 1: '.length)}… (4026 more characters)`,
        '',
        'The last 20 lines of its log:',
        '',
        '```',
        ...fleetRun(failures).activities[i]!.logTail!,
        '```',
        '',
      ].join('\n');
    expect(lead).toBe(
      [
        '### envsync deploy of `payments/dev`: failure',
        '',
        'Started by a Git change, pushed by dev · revision `abc`',
        '',
        '1000 activities in 1 min 1 s: 3 failed, 663 succeeded, 334 skipped.',
        '',
        ...failures.map(section),
        '',
      ].join('\n'),
    );
    expect(summary.slice(lead.length).split('\n')[0]).toBe('<details><summary>663 succeeded, 334 skipped</summary>');
  });

  it('with every activity failed, shows the failures that fit and says how many more there are', () => {
    const all = comment(fleetRun(Array.from({ length: 1000 }, (_, i) => i)));
    expect(all.length + COMMENT_TAIL.length + 1).toBeLessThanOrEqual(COMMENT_LIMIT);
    const shown = all.split('\n').filter((l) => l.startsWith('#### ❌')).length;
    expect(shown).toBeGreaterThan(10);
    expect(all).toContain(`\n${1000 - shown} more failed activities not shown: the job summary of the workflow run has every row.\n`);
  });

  it('cuts a log tail longer than a runner keeps (the results are not trusted) from its start', () => {
    const long = results([{ id: 'resource/a/apply', type: 'stage', dependsOn: [], status: 'failure', attempts: 1, logTail: Array.from({ length: 5000 }, (_, n) => `line ${n} ${'y'.repeat(200)}`) }]);
    const lines = /\n```\n([\s\S]*?)\n```\n/.exec(jobSummary(long))![1]!.split('\n');
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(lines.join('\n').length).toBeLessThanOrEqual(2000);
    expect(lines.at(-1)).toMatch(/^line 4999 /);
  });
});

describe('the summary of results a runner wrote', () => {
  it('of an older runner, without log tails or dependencies, still shows each failure with its reason', () => {
    const old = {
      ...results([
        { id: 'resource/a/apply', type: 'stage', status: 'failure', attempts: 1, startedAt: 0, finishedAt: 2500, reason: 'tofu apply exited with 3' },
        { id: 'resource/b/apply', type: 'stage', status: 'skipped', attempts: 0 },
      ] as Activity[]),
    };
    expect(resultsProblem(JSON.parse(JSON.stringify(old)))).toBeUndefined();
    expect(jobSummary(old)).toBe(
      [
        '### envsync deploy of `payments/dev`: failure',
        '',
        'Revision `abc`',
        '',
        '2 activities in 2.5 s: 1 failed, 1 skipped.',
        '',
        '#### ❌ `resource/a/apply` · stage · 2.5 s',
        '',
        'Reason: tofu apply exited with 3',
        '',
        '<details><summary>1 skipped</summary>',
        '',
        '| status | activity | type | time | reason |',
        '| --- | --- | --- | --- | --- |',
        '| ⏭️ skipped | `resource/b/apply` | stage |  |  |',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('that say an activity was cancelled show it unfolded, after the failures', () => {
    const cancelled = jobSummary({
      ...results([
        { id: 'resource/a/apply', type: 'stage', dependsOn: [], status: 'cancelled', attempts: 1, startedAt: 0, finishedAt: 90_000, reason: 'the run was cancelled' },
        { id: 'resource/a/checkout', type: 'stage', dependsOn: [], status: 'success', attempts: 1, startedAt: 0, finishedAt: 300 },
      ]),
      status: 'cancelled',
    });
    expect(withoutGraph(cancelled).split('\n').slice(4, 18)).toEqual([
      '2 activities in 1 min 30 s: 1 cancelled, 1 succeeded.',
      '',
      '| status | activity | type | time | reason |',
      '| --- | --- | --- | --- | --- |',
      '| ⏹️ cancelled | `resource/a/apply` | stage | 1 min 30 s | the run was cancelled |',
      '',
      '<details><summary>1 succeeded</summary>',
      '',
      '| status | activity | type | time | reason |',
      '| --- | --- | --- | --- | --- |',
      '| ✅ success | `resource/a/checkout` | stage |  |  |',
      '',
      '</details>',
      '',
    ]);
  });

  it('are refused when a log tail is not a list of lines', () => {
    const activity = { id: 'resource/a/apply', type: 'stage', dependsOn: [], status: 'failure', attempts: 1 };
    for (const logTail of ['one line', [1, 2], [['nested']], null, { 0: 'x' }]) expect(resultsProblem(results([{ ...activity, logTail } as unknown as Activity]))).toBe('envsync-results.json is not the results of an envsync run');
    expect(resultsProblem(results([{ ...activity, logTail: ['fine'] } as Activity]))).toBeUndefined();
  });

  it('cannot close the fence of a log tail, nor write HTML, with what a tool printed or a reason said', () => {
    const hostile = jobSummary(results([{ id: 'resource/a/apply', type: 'stage', dependsOn: [], status: 'failure', attempts: 1, reason: '<!-- hide the rest', logTail: ['```', '</details>', '`````', 'done'] }]));
    expect(hostile).toContain('Reason: &lt;!-- hide the rest\n');
    expect(hostile).toContain('\n``````\n```\n</details>\n`````\ndone\n``````\n');
  });

  it('that hold fields of the wrong type are still summarized, those fields left out', () => {
    const odd = { id: 'resource/a/apply', type: 7, dependsOn: [], status: 'failure', attempts: '9'.repeat(5000), startedAt: 'soon', finishedAt: 10, reason: { why: 'x' } };
    expect(jobSummary(results([odd as unknown as Activity])).split('\n').slice(4, 8)).toEqual(['1 activity: 1 failed.', '', '#### ❌ `resource/a/apply`', '']);
  });

  it('draws the graph when every activity is drawable', () => {
    const summary = jobSummary(
      results([
        { id: 'hook/onInit/change-approval', type: 'approval', dependsOn: [], status: 'success', attempts: 1 },
        { id: 'resource/network/apply', type: 'stage', dependsOn: ['hook/onInit/change-approval'], status: 'failure', attempts: 1, reason: 'exited with 3' },
        { id: 'hook/onSuccess/smoke-test', type: 'http', dependsOn: ['resource/network/apply'], when: 'success', status: 'skipped', attempts: 0 },
      ]),
    );
    expect(graph(summary)).toBeDefined();
  });

  it('draws no graph for an id that could break out of the Mermaid block, nor for an edge to an unknown activity', () => {
    const hostile = jobSummary(results([{ id: 'x"]\n```\n<img src=x>', type: 'stage', dependsOn: [], status: 'success', attempts: 1 }]));
    expect(graph(hostile)).toBeUndefined();
    expect(hostile).not.toContain('```');
    expect(hostile).not.toContain('<img');
    const dangling = jobSummary(results([{ id: 'resource/a/apply', type: 'stage', dependsOn: ['resource/missing/apply'], status: 'success', attempts: 1 }]));
    expect(graph(dangling)).toBeUndefined();
  });

  it('draws no graph for results of an older runner, which carry no dependencies', () => {
    const old = jobSummary(results([{ id: 'resource/a/apply', type: 'stage', status: 'success', attempts: 1 } as Activity]));
    expect(graph(old)).toBeUndefined();
  });

  it('draws no graph past the size GitHub renders, but keeps every row of the table', () => {
    const many = Array.from({ length: 151 }, (_, i) => ({ id: `resource/r${i}/apply`, type: 'stage' as const, dependsOn: [], status: 'success' as const, attempts: 1 }));
    const summary = jobSummary(results(many));
    expect(graph(summary)).toBeUndefined();
    expect(summary.split('\n').filter((l) => l.startsWith('| ✅'))).toHaveLength(151);
  });
});
