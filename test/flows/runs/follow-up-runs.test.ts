// The follow-up of runs whose workflow_run events never came, on the in-memory GitHub: a completed
// workflow run is recorded as its event would have been (and the next run of its environment goes),
// a dispatch GitHub made no workflow run for is given up on hours later, and a recent one is left alone.
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followUpRuns, NO_WORKFLOW_RUN_MS } from '../../../src/flows/runs/follow-up-runs.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { openStore, type RunDispatch, type Store } from '../../../src/system/store.js';

const repo = { owner: 'acme', repo: 'config' };
const HOUR = 60 * 60_000;
let store: Store;
let github: MemoryPort;

const dispatch = (sha: string): RunDispatch => ({ order: 0, environment: 'shop/dev', action: 'deploy', branch: 'main', workflow: 'envsync-run.yml', sha, gates: [], after: [], labels: [], approvals: [] });

/** A run dispatched `ago` ms ago, shown as deployment and (when `started`) a workflow run, and the next run of its environment waiting for it. */
async function dispatchedRun(ago: number, options: { knownRun?: boolean; started?: 'completed' | 'in_progress' } = {}) {
  await store.createRun({ id: 'first', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'queued', activities: [], outputs: {} }, { repo: 'acme/config', dispatch: dispatch('r1') });
  const deployment = await github.ensureDeployment(repo, { ref: 'r1', environment: 'shop/dev', description: 'first', payload: { runId: 'first' } });
  const at = new Date(Date.now() - ago).toISOString();
  if (options.started) {
    github.workflowRuns.push({ id: 7, status: options.started, conclusion: options.started === 'completed' ? 'success' : null, displayTitle: 'envsync deploy shop/dev (run first)', htmlUrl: 'https://github.example/runs/7' });
    const results = { project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'success', activities: [], outputs: {} };
    github.artifacts.push({ id: 70, run: 7, name: 'envsync-results-first', zip: zipSync({ 'envsync-results.json': new TextEncoder().encode(JSON.stringify(results)) }) });
  }
  await store.updateTracking('first', { deploymentId: deployment, dispatchRequestedAt: at, dispatchedAt: at, ...(options.knownRun ? { workflowRunId: 7 } : {}) });
  await store.createRun({ id: 'next', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r2', status: 'waiting', activities: [], outputs: {} }, { repo: 'acme/config', dispatch: dispatch('r2') });
  github.calls.length = 0;
}

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  github = new MemoryPort();
});
afterEach(() => store.close());

describe('followUpRuns', () => {
  it('records a run whose workflow run completed from GitHub\'s answer, and dispatches the run that waited for its environment', async () => {
    await dispatchedRun(HOUR, { knownRun: true, started: 'completed' });
    expect(await followUpRuns(github, store, repo, 10 * 60_000)).toEqual({ settled: ['first'], lost: [], pending: [] });
    expect((await store.getRun('first'))?.status).toBe('success');
    expect((await store.getRun('next'))?.status).toBe('queued');
    expect(github.calls).toEqual([
      'status shop/dev success deploy of shop/dev: success',
      'deployment shop/dev next',
      'dispatch envsync-run.yml@main next',
      'status shop/dev queued dispatched to envsync-run.yml',
      'comment r1 created',
    ]);
  });

  it('finds the workflow run of a dispatch whose events all went missing by its run-name, and records it as the run\'s', async () => {
    await dispatchedRun(HOUR, { started: 'completed' });
    expect((await followUpRuns(github, store, repo, 10 * 60_000)).settled).toEqual(['first']);
    expect((await store.getTracking('first'))?.workflowRunId).toBe(7);
  });

  it('leaves a run still in progress on GitHub, and one dispatched too recently to ask about, pending', async () => {
    await dispatchedRun(HOUR, { knownRun: true, started: 'in_progress' });
    expect(await followUpRuns(github, store, repo, 10 * 60_000)).toEqual({ settled: [], lost: [], pending: ['first'] });
    expect(await followUpRuns(github, store, repo, 2 * HOUR)).toEqual({ settled: [], lost: [], pending: ['first'] });
    expect(github.calls).toEqual([]);
    expect((await store.getRun('next'))?.status).toBe('waiting');
  });

  it('gives up on a dispatch GitHub started no workflow run for within hours: failed, saying so, and its environment free again', async () => {
    await dispatchedRun(NO_WORKFLOW_RUN_MS + HOUR);
    expect(await followUpRuns(github, store, repo, 10 * 60_000)).toEqual({ settled: [], lost: ['first'], pending: [] });
    expect(await store.getRun('first')).toMatchObject({ status: 'failure', reason: 'GitHub started no workflow run for its dispatch of envsync-run.yml within 6 hours' });
    expect(github.calls[0]).toBe('status shop/dev error GitHub started no workflow run for its dispatch of envsync-run.yml within 6 hours');
    expect((await store.getRun('next'))?.status).toBe('queued');
  });
});
