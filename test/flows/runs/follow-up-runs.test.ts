// The follow-up of runs whose workflow_run events never came, over a recording port: a completed
// workflow run is recorded as its event would have been (and the next run of its environment goes),
// a dispatch GitHub made no workflow run for is given up on hours later, and a recent one is left alone.
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followUpRuns, NO_WORKFLOW_RUN_MS } from '../../../src/flows/runs/follow-up-runs.js';
import type { GitHubPort, WorkflowRunState } from '../../../src/github/port.js';
import { openStore, type RunDispatch, type Store } from '../../../src/system/store.js';

const repo = { owner: 'acme', repo: 'config' };
const HOUR = 60 * 60_000;
let store: Store;
let calls: string[];
let workflowRuns: Map<number, WorkflowRunState>;

const results = (runId: string) => ({ project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'success', activities: [], outputs: {}, runId });
const port = {
  getWorkflowRun: async (_r: unknown, id: number) => (calls.push(`get run ${id}`), workflowRuns.get(id)),
  findWorkflowRun: async (_r: unknown, _w: string, suffix: string) => (calls.push(`find${suffix}`), [...workflowRuns.values()].find((w) => w.displayTitle.endsWith(suffix))),
  listRunArtifacts: async (_r: unknown, id: number) => [{ id, name: `envsync-results-${[...workflowRuns.values()].find((w) => w.id === id)!.displayTitle.match(/\(run (.+)\)$/)![1]}`, expired: false }],
  downloadArtifact: async () => zipSync({ 'envsync-results.json': new TextEncoder().encode(JSON.stringify(results('x'))) }),
  ensureDeployment: async (_r: unknown, d: { payload: { runId: string } }) => (calls.push(`deployment ${d.payload.runId}`), 90),
  ensureDeploymentStatus: async (_r: unknown, id: number, s: { state: string; description: string }) => void calls.push(`status ${id} ${s.state} ${s.description}`),
  dispatchWorkflow: async (_r: unknown, _w: string, _ref: string, inputs: Record<string, string>) => void calls.push(`dispatch ${inputs['run-id']}`),
  pullRequestsOfCommit: async () => [],
  ensureCommitComment: async () => ({ id: 1, outcome: 'created' as const }),
  webUrl: (path: string) => `https://github.example/${path}`,
} as unknown as GitHubPort;

const dispatch = (order: number): RunDispatch => ({ order, environment: 'shop/dev', action: 'deploy', branch: 'main', workflow: 'envsync-run.yml', sha: 'r1', gates: [], after: [], labels: [], approvals: [] });

/** A run dispatched `ago` ms ago (known workflow run `workflowRun`, if given), and the next run of its environment waiting for it. */
async function dispatchedRun(ago: number, workflowRun?: number) {
  await store.createRun({ id: 'first', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'queued', activities: [], outputs: {} }, { repo: 'acme/config', dispatch: dispatch(0) });
  const at = new Date(Date.now() - ago).toISOString();
  await store.updateTracking('first', { deploymentId: 41, dispatchRequestedAt: at, dispatchedAt: at, ...(workflowRun ? { workflowRunId: workflowRun } : {}) });
  await store.createRun({ id: 'next', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r2', status: 'waiting', activities: [], outputs: {} }, { repo: 'acme/config', dispatch: { ...dispatch(0), sha: 'r2' } });
}

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  calls = [];
  workflowRuns = new Map();
});
afterEach(() => store.close());

describe('followUpRuns', () => {
  it('records a run whose workflow run completed from GitHub\'s answer, and dispatches the run that waited for its environment', async () => {
    await dispatchedRun(HOUR, 7);
    workflowRuns.set(7, { id: 7, status: 'completed', conclusion: 'success', displayTitle: 'envsync deploy shop/dev (run first)', htmlUrl: 'https://github.example/acme/config/actions/runs/7' });
    expect(await followUpRuns(port, store, repo, 10 * 60_000)).toEqual({ settled: ['first'], lost: [], pending: [] });
    expect((await store.getRun('first'))?.status).toBe('success');
    expect((await store.getRun('next'))?.status).toBe('queued');
    expect(calls.filter((c) => c.startsWith('dispatch'))).toEqual(['dispatch next']);
  });

  it('finds the workflow run of a dispatch whose events all went missing by its run-name', async () => {
    await dispatchedRun(HOUR);
    workflowRuns.set(8, { id: 8, status: 'completed', conclusion: 'success', displayTitle: 'envsync deploy shop/dev (run first)', htmlUrl: 'https://github.example/acme/config/actions/runs/8' });
    expect((await followUpRuns(port, store, repo, 10 * 60_000)).settled).toEqual(['first']);
    expect(calls[0]).toBe('find (run first)');
    expect((await store.getTracking('first'))?.workflowRunId).toBe(8);
  });

  it('leaves a run still in progress on GitHub, and one dispatched too recently to ask about, pending', async () => {
    await dispatchedRun(HOUR, 7);
    workflowRuns.set(7, { id: 7, status: 'in_progress', conclusion: null, displayTitle: 'envsync deploy shop/dev (run first)', htmlUrl: '' });
    expect(await followUpRuns(port, store, repo, 10 * 60_000)).toEqual({ settled: [], lost: [], pending: ['first'] });
    calls = [];
    expect(await followUpRuns(port, store, repo, 2 * HOUR)).toEqual({ settled: [], lost: [], pending: ['first'] });
    expect(calls).toEqual([]);
    expect((await store.getRun('next'))?.status).toBe('waiting');
  });

  it('gives up on a dispatch GitHub started no workflow run for within hours: failed, saying so, and its environment free again', async () => {
    await dispatchedRun(NO_WORKFLOW_RUN_MS + HOUR);
    expect(await followUpRuns(port, store, repo, 10 * 60_000)).toEqual({ settled: [], lost: ['first'], pending: [] });
    expect(await store.getRun('first')).toMatchObject({ status: 'failure', reason: 'GitHub started no workflow run for its dispatch of envsync-run.yml within 6 hours' });
    expect(calls).toContain('status 41 error GitHub started no workflow run for its dispatch of envsync-run.yml within 6 hours');
    expect((await store.getRun('next'))?.status).toBe('queued');
  });
});
