// app.yml is what Probot's setup page registers the app from: it must parse, and ask for exactly the
// events the app acts on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { jobOfWebhook } from '../../src/app/jobs.js';

const manifest = jsyaml.load(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as { name: string; description: string; default_events: string[] };
type Example = { name: string; examples: Record<string, any>[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Example[];
const examplesOf = (event: string) => examples.find((e) => e.name === event)!.examples;

describe('the app manifest', () => {
  it('parses, with its description whole', () => {
    expect(manifest.name).toBe('envsync');
    expect(manifest.description).toMatch(/^GitOps for environment managers: validates specs, .* back as pull requests\.$/);
  });

  it('asks for exactly the events the app acts on', () => {
    const ignored = (event: string) => ({ skip: `envsync does not act on ${event} events` });
    const acted = examples.filter((e) => e.examples.some((payload) => payload.repository && JSON.stringify(jobOfWebhook(e.name, withPullRequest(e.name, payload))) !== JSON.stringify(ignored(e.name)))).map((e) => e.name);
    expect([...manifest.default_events].sort()).toEqual([...acted].sort());
  });
});

describe('a re-run requested on a check', () => {
  it('checks the pull request of its head again', () => {
    const payload = withPullRequest('check_run', examplesOf('check_run').find((p) => p.action === 'rerequested')!);
    const intake = jobOfWebhook('check_run', payload);
    const { owner, name } = { owner: payload.repository.owner.login, name: payload.repository.name };
    expect(intake).toEqual({
      repo: `${owner}/${name}`,
      job: { task: 'check-pull-request', queue: `${owner}/${name}#7`, payload: { installation: payload.installation.id, repo: { owner, repo: name }, number: 7 } },
    });
  });

  it('of a check of no pull request, or any other check_run action, makes no job', () => {
    const rerequested = examplesOf('check_run').find((p) => p.action === 'rerequested')!;
    expect(jobOfWebhook('check_run', { ...rerequested, installation: { id: 1 } })).toEqual({ skip: 'a re-run of a check of no pull request' });
    expect(jobOfWebhook('check_run', { ...examplesOf('check_run')[0]!, installation: { id: 1 } })).toEqual({ skip: 'check_run.created changes nothing envsync checks' });
  });
});

/** GitHub's examples of check_run.rerequested name no pull request: one, #7, is put in; every example gets an installation. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withPullRequest(event: string, payload: Record<string, any>): Record<string, any> {
  const copy = structuredClone(payload);
  copy.installation ??= { id: 1 };
  if (event === 'check_run' && copy.action === 'rerequested') copy.check_run.pull_requests = [{ number: 7 }];
  return copy;
}
