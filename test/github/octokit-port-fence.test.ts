// The port's fence: every write waits for the job's fence, and a fence that refuses stops the write
// before it is sent (reads go on), so a worker that lost its job writes nothing more.
import { expect, it } from 'vitest';
import { OctokitPort, type OctokitLike } from '../../src/github/octokit-port.js';
import { LostJobError } from '../../src/system/jobs/queue.js';

const repo = { owner: 'acme', repo: 'config' };
const check = { name: 'envsync/validate', headSha: 'abc', status: 'completed' as const, conclusion: 'success' as const, output: { title: 'ok', summary: 'ok' } };

function recording(): OctokitLike & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    request: async (route) => {
      sent.push(route);
      if (route.startsWith('GET ')) return { status: 200, data: { check_runs: [] } };
      return { status: 201, data: { id: 7 } };
    },
  };
}

it('asks the fence before each write, after the reads that precede it', async () => {
  const octokit = recording();
  const port = new OctokitPort(octokit, { beforeWrite: async () => void octokit.sent.push('fence') });
  await port.ensureCheckRuns(repo, 'abc', [check, { ...check, name: 'envsync/plan' }]);
  expect(octokit.sent).toEqual(['GET /repos/{owner}/{repo}/commits/{ref}/check-runs', 'fence', 'POST /repos/{owner}/{repo}/check-runs', 'fence', 'POST /repos/{owner}/{repo}/check-runs']);
});

it('sends no write once the fence refuses, and fails with the fence error', async () => {
  const octokit = recording();
  const port = new OctokitPort(octokit, {
    beforeWrite: async () => {
      throw new LostJobError('42');
    },
  });
  await expect(port.ensureCheckRuns(repo, 'abc', [check])).rejects.toThrow(/job 42 was taken back from this worker/);
  expect(octokit.sent).toEqual(['GET /repos/{owner}/{repo}/commits/{ref}/check-runs']);
});
