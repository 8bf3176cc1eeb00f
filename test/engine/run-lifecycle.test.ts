// The run lifecycle's decision, as a table: given the repository's unfinished runs (oldest first) and
// the finished runs their dependencies name, what each run does next.
import { describe, expect, it } from 'vitest';
import { decideRuns, describeWait, type FinishedRun, type LifecycleRun, type NextStep } from '../../src/engine/run-lifecycle.js';

const run = (id: string, environment: string, fields: Partial<LifecycleRun> = {}): LifecycleRun => ({
  id,
  environment,
  status: 'waiting',
  handedOver: false,
  unapproved: [],
  after: [],
  hasRevision: true,
  manual: false,
  ...fields,
});
const finished = (id: string, environment: string, status: FinishedRun['status'], supersededBy: string | null = null): FinishedRun => ({ id, environment, status, supersededBy });

interface Row {
  name: string;
  runs: LifecycleRun[];
  known?: FinishedRun[];
  expected: Record<string, NextStep>;
}

const rows: Row[] = [
  { name: 'a lone run with nothing to wait for is dispatched', runs: [run('a', 'p/dev')], expected: { a: { step: 'dispatch' } } },
  { name: 'a run handed to GitHub stays with GitHub', runs: [run('a', 'p/dev', { status: 'queued', handedOver: true })], expected: { a: { step: 'handed-over' } } },
  { name: 'a run in progress stays with GitHub', runs: [run('a', 'p/dev', { status: 'in_progress', handedOver: true })], expected: { a: { step: 'handed-over' } } },
  {
    name: 'a run waits for the run of its environment on GitHub (at most one at a time)',
    runs: [run('a', 'p/dev', { status: 'in_progress', handedOver: true }), run('b', 'p/dev')],
    expected: { a: { step: 'handed-over' }, b: { step: 'wait', reason: { environmentBusy: { id: 'a' } } } },
  },
  {
    name: 'the newest pending run of an environment supersedes the older pending ones; the one on GitHub is left alone',
    runs: [run('a', 'p/dev', { status: 'queued', handedOver: true }), run('b', 'p/dev'), run('c', 'p/dev')],
    expected: { a: { step: 'handed-over' }, b: { step: 'superseded', by: 'c' }, c: { step: 'wait', reason: { environmentBusy: { id: 'a' } } } },
  },
  {
    name: 'a merge\'s pending run supersedes a manual one started after it (the manual run is at the revision applied before the merge)',
    runs: [run('merge', 'p/dev', { unapproved: ['hook/a'] }), run('manual', 'p/dev', { manual: true })],
    expected: { merge: { step: 'wait', reason: { approval: ['hook/a'] } }, manual: { step: 'superseded', by: 'merge' } },
  },
  {
    name: 'a newer manual run supersedes an older manual one, and a merge\'s run supersedes both',
    runs: [run('m1', 'p/dev', { manual: true }), run('m2', 'p/dev', { manual: true }), run('merge', 'p/dev')],
    expected: { m1: { step: 'superseded', by: 'merge' }, m2: { step: 'superseded', by: 'merge' }, merge: { step: 'dispatch' } },
  },
  {
    name: 'two manual runs: the newer one goes',
    runs: [run('m1', 'p/dev', { manual: true }), run('m2', 'p/dev', { manual: true })],
    expected: { m1: { step: 'superseded', by: 'm2' }, m2: { step: 'dispatch' } },
  },
  {
    name: 'runs of other environments go side by side',
    runs: [run('a', 'p/dev', { status: 'queued', handedOver: true }), run('b', 'p/staging'), run('c', 'q/dev')],
    expected: { a: { step: 'handed-over' }, b: { step: 'dispatch' }, c: { step: 'dispatch' } },
  },
  {
    name: 'gates not approved: it waits for them, before anything else',
    runs: [run('a', 'p/prod', { unapproved: ['hook/onInit/approve'], after: ['x'] })],
    known: [finished('x', 'p/staging', 'in_progress')],
    expected: { a: { step: 'wait', reason: { approval: ['hook/onInit/approve'] } } },
  },
  {
    name: 'a dependency not finished: it waits for that run',
    runs: [run('s', 'p/staging'), run('a', 'p/prod', { after: ['s'] })],
    expected: { s: { step: 'dispatch' }, a: { step: 'wait', reason: { runs: [{ id: 's', environment: 'p/staging' }] } } },
  },
  {
    name: 'a dependency that succeeded lets it go',
    runs: [run('a', 'p/prod', { after: ['s'] })],
    known: [finished('s', 'p/staging', 'success')],
    expected: { a: { step: 'dispatch' } },
  },
  ...(['failure', 'cancelled', 'not_run'] as const).map(
    (status): Row => ({
      name: `a dependency that ended ${status}: not run`,
      runs: [run('a', 'p/prod', { after: ['s'] })],
      known: [finished('s', 'p/staging', status)],
      expected: { a: { step: 'not-run', dependency: { id: 's', environment: 'p/staging', status }, cause: { id: 's', environment: 'p/staging' } } },
    }),
  ),
  {
    name: 'not run passes down a chain of dependencies in one decision',
    runs: [run('b', 'p/b', { after: ['a'] }), run('c', 'p/c', { after: ['b'] })],
    known: [finished('a', 'p/a', 'failure')],
    expected: { b: { step: 'not-run', dependency: { id: 'a', environment: 'p/a', status: 'failure' }, cause: { id: 'a', environment: 'p/a' } }, c: { step: 'not-run', dependency: { id: 'b', environment: 'p/b', status: 'not_run' }, cause: { id: 'a', environment: 'p/a' } } },
  },
  {
    name: 'a dependency superseded is followed to the run that took its place: its success counts',
    runs: [run('a', 'p/prod', { after: ['s1'] })],
    known: [finished('s1', 'p/staging', 'superseded', 's2'), finished('s2', 'p/staging', 'success')],
    expected: { a: { step: 'dispatch' } },
  },
  {
    name: 'a dependency superseded in this very decision is followed too',
    runs: [run('s1', 'p/staging'), run('a', 'p/prod', { after: ['s1'] }), run('s2', 'p/staging')],
    expected: { s1: { step: 'superseded', by: 's2' }, a: { step: 'wait', reason: { runs: [{ id: 's2', environment: 'p/staging' }] } }, s2: { step: 'dispatch' } },
  },
  {
    name: 'a destroy with no revision that still has the environment waits for one',
    runs: [run('a', 'p/dev', { hasRevision: false })],
    expected: { a: { step: 'wait', reason: { revision: 'none' } } },
  },
  {
    name: 'a dependency nothing is known of is waited for by its id',
    runs: [run('a', 'p/prod', { after: ['gone'] })],
    expected: { a: { step: 'wait', reason: { runs: [{ id: 'gone', environment: 'gone' }] } } },
  },
];

describe('decideRuns', () => {
  it.each(rows)('$name', ({ runs, known = [], expected }) => {
    expect(Object.fromEntries(decideRuns(runs, new Map(known.map((k) => [k.id, k]))))).toEqual(expected);
  });

  it('dispatches at most one run per environment in one decision, whatever the order of the rows', () => {
    const steps = decideRuns([run('a', 'p/dev'), run('b', 'p/dev', { handedOver: false })], new Map());
    expect([...steps.values()].filter((s) => s.step === 'dispatch')).toHaveLength(1);
  });
});

describe('describeWait', () => {
  it('says what a run waits for, as its deployment shows it', () => {
    expect(describeWait({ approval: ['hook/a', 'hook/b'] }, '#4')).toBe('approval of hook/a, hook/b: /approve on #4');
    expect(describeWait({ runs: [{ id: 'x', environment: 'p/staging' }] }, '#4')).toBe('the runs of p/staging');
    expect(describeWait({ environmentBusy: { id: 'r-1' } }, '#4')).toBe('run r-1 of the same environment');
    expect(describeWait({ revision: 'none' }, '#4')).toBe('a revision that still has the environment (the system has applied none)');
  });
});
