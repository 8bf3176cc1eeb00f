// A failed activity's record carries the last lines of its log, for summaries read where the log is
// not (the app's comment on the merged pull request): taken from the lines the run's RunLog already
// masked, within 20 lines and 2,000 characters, without terminal colours or workflow commands. Here a
// real run of the example (the `process` runtime, its HTTP hooks on loopback) whose preflight prints
// the access key and fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoints } from '../../demo/sandbox.js';
import { jobSummary } from '../../src/render/run-summary.js';
import { LOG_TAIL_CHARS, LOG_TAIL_LINES, resultsProblem } from '../../src/runner/contract.js';
import { runEnvironment, type RunResults } from '../../src/runner/run.js';
import type { SourceFile } from '../../src/specs/source.js';
import { exampleFiles } from '../golden/scenarios.js';

const ACCESS_KEY = 'CANARY-access-id-5127';

/** A preflight that talks a lot, prints the access key in colour, redraws a progress line, writes a workflow command and fails. */
const PREFLIGHT = [
  'for i in $(seq 1 30); do echo "step $i"; done',
  'printf "\\033[31merror:\\033[0m login as %s refused\\n" "$AWS_ACCESS_KEY_ID"',
  'printf "progress 10%%\\rprogress 100%%\\n"',
  'echo "::warning::preflight.sh is deprecated"',
  'exit 4',
].join('; ');

let endpoints: Endpoints;
let files: SourceFile[];

beforeAll(async () => {
  endpoints = new Endpoints();
  const base = await endpoints.start();
  files = exampleFiles().map((f) => {
    const text = Buffer.from(f.content!).toString('utf8');
    const edited = text
      .replace(/https:\/\/([a-z]+)\.example\.com/g, `${base}/$1`)
      .replace('example-access-key-id', ACCESS_KEY)
      .replace('- ./preflight.sh', `- ${JSON.stringify(PREFLIGHT)}`);
    return edited === text ? f : { ...f, content: Buffer.from(edited) };
  });
});
afterAll(() => endpoints.stop());

describe('a run whose preflight prints a secret and fails', () => {
  let results: RunResults;
  let log: string[];
  beforeAll(async () => {
    log = [];
    results = await runEnvironment({ files, project: 'payments', environment: 'dev', action: 'deploy', revision: 'r1', runtime: 'process', actions: true, approved: new Set(['hook/onInit/change-approval']), write: (l) => log.push(l) });
  }, 60_000);

  it('fails there, and runs what runs on failure', () => {
    expect(results.status).toBe('failure');
    const counted = (status: string) => results.activities.filter((a) => a.status === status).map((a) => a.id);
    expect(counted('failure')).toEqual(['hook/onInit/preflight']);
    expect(counted('success')).toEqual(['hook/onInit/change-approval', 'hook/onFailure/page-on-call', 'hook/onCompletion/announce']);
    expect(counted('skipped')).toHaveLength(16);
  });

  it("keeps the last lines of the failed activity's log, masked, without colours, redrawn parts or workflow commands", () => {
    const preflight = results.activities.find((a) => a.id === 'hook/onInit/preflight')!;
    expect(preflight.logTail).toEqual([...Array.from({ length: 18 }, (_, i) => `step ${i + 13}`), 'error: login as *** refused', 'progress 100%']);
    expect(preflight.logTail!.length).toBeLessThanOrEqual(LOG_TAIL_LINES);
    // The log itself has it all, the key masked there too (but where Actions is told to mask it).
    expect(log).toContain('step 1');
    expect(log.filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(ACCESS_KEY);
  });

  it('keeps no log tail for an activity that did not fail', () => {
    expect(results.activities.filter((a) => a.logTail).map((a) => a.id)).toEqual(['hook/onInit/preflight']);
  });

  it('writes results the app takes, holding the secret nowhere', () => {
    expect(resultsProblem(JSON.parse(JSON.stringify(results)))).toBeUndefined();
    expect(JSON.stringify(results)).not.toContain(ACCESS_KEY);
  });

  it('is summarized with the failure and its masked log tail first', () => {
    // The times of this run, made those of a run on a runner.
    const timed = { ...results, activities: results.activities.map((a) => (a.startedAt === undefined ? a : { ...a, startedAt: 0, finishedAt: a.id === 'hook/onInit/preflight' ? 2_400 : 100 })) };
    const summary = jobSummary(timed);
    expect(summary).not.toContain(ACCESS_KEY);
    expect(summary.slice(0, summary.indexOf('<details>'))).toBe(
      [
        '### envsync deploy of `payments/dev`: failure',
        '',
        'Revision `r1`',
        '',
        '20 activities in 2.4 s: 1 failed, 3 succeeded, 16 skipped.',
        '',
        '#### ❌ `hook/onInit/preflight` · container · 2.4 s',
        '',
        'Reason: the success condition did not hold',
        '',
        'The last 20 lines of its log:',
        '',
        '```',
        ...Array.from({ length: 18 }, (_, i) => `step ${i + 13}`),
        'error: login as *** refused',
        'progress 100%',
        '```',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('the log tail of an activity whose lines are long', () => {
  it('keeps the end of each over-long line, within 2,000 characters in all', async () => {
    const long = files.map((f) =>
      f.path.endsWith('web-stack.yaml') ? { ...f, content: Buffer.from(Buffer.from(f.content!).toString('utf8').replace(JSON.stringify(PREFLIGHT), JSON.stringify('for i in 1 2 3 4 5 6; do printf "%0700d $i\\n" 0; done; exit 1'))) } : f,
    );
    const results = await runEnvironment({ files: long, project: 'payments', environment: 'dev', action: 'deploy', revision: 'r1', runtime: 'process', actions: false, approved: new Set(['hook/onInit/change-approval']), write: () => {} });
    const tail = results.activities.find((a) => a.id === 'hook/onInit/preflight')!.logTail!;
    expect(tail.map((l) => l.length + 1).reduce((a, b) => a + b)).toBeLessThanOrEqual(LOG_TAIL_CHARS);
    expect(tail).toEqual(['4', '5', '6'].map((n) => `(202 characters before) …${'0'.repeat(498)} ${n}`));
  }, 60_000);
});
