// /approve of a rollout's wave, on the merged pull request, on GitHub in memory: a wave's gate is
// approved only by name (a bare /approve must not let a wave go by the way), and a merge whose head was
// checked before `.github/envsync.yml` had waves can still have its waves approved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalSubject } from '../../../src/engine/approvals.js';
import { handleCommand } from '../../../src/flows/review/commands.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { openStore, type Store } from '../../../src/system/store.js';

const repo = { owner: 'acme', repo: 'config' };
let store: Store;
let port: MemoryPort;
let released: number[];

const comment = (body: string, id = 1) => ({
  issue: { number: 7, pull_request: {} },
  comment: { id, body, user: { login: 'carol', type: 'User' } },
  repository: { name: 'config', owner: { login: 'acme' } },
});
const effects = () => ({ replan: async () => {}, releaseRuns: async (n: number) => void released.push(n) });

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  port = new MemoryPort();
  released = [];
  port.permissions.set('carol', 'write');
  port.commit({ branch: 'main', files: { '.github/envsync.yml': '# the defaults\n' } });
  port.commit({ branch: 'change', parents: [port.branches.get('main')!], files: { '.github/envsync.yml': '# the defaults\n', 'README.md': 'x\n' } });
  port.openPullRequest({ number: 7, head: 'change', base: 'main', author: 'alice' });
  const merge = port.mergePullRequest(7);
  const pr = await port.getPullRequest(repo, 7);
  // A run of the merge's second wave waits for its gate; the head has no check run for it.
  const dispatch = { order: 0, environment: 'retail/env-00', action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: merge, gates: ['wave/early'], after: [], labels: [], approvals: [{ number: 7, subject: approvalSubject(pr) }], wave: { name: 'early', index: 1, of: 2 } };
  await store.createRun({ id: 'r1', project: 'retail', environment: 'env-00', action: 'deploy', revision: merge, status: 'waiting', activities: [], outputs: {} }, { repo: 'acme/config', dispatch });
});
afterEach(() => store.close());

describe('/approve on a merged pull request whose runs wait for a wave', () => {
  it('bare, approves no wave: the wave is approved only by name, and the answer says how', async () => {
    expect(await handleCommand(port, store, comment('/approve'), effects())).toEqual({
      refused: '@carol, this head\'s gates (`wave/early`) are approved only by name: comment `/approve wave/early`.',
    });
    expect(await store.listApprovals('acme/config', 7)).toEqual([]);
  });

  it('by name, approves the wave, though the head was checked before the waves existed, and releases the runs', async () => {
    expect(await handleCommand(port, store, comment('/approve wave/early', 2), effects())).toEqual({ approved: ['wave/early'] });
    expect((await store.listApprovals('acme/config', 7)).map((a) => [a.gate, a.user, a.decision])).toEqual([['wave/early', 'carol', 'approve']]);
    expect(released).toEqual([7]);
  });
});
