// Webhook deliveries as GitHub makes them: payloads of the shapes GitHub sends (taken from
// @octokit/webhooks-examples and pointed at one repository), signed with the app's secret, posted
// over HTTP. Every delivery is kept, so that a story can redeliver all of them.
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

// The package is one JSON file: required, as Node's ESM would need an import attribute for it.
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as unknown;

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Example = { name: string; examples: Payload[] };

/** A copy of the first example of event `name` that `pick` accepts. */
export const example = (name: string, pick: (e: Payload) => boolean): Payload => {
  const found = (examples as unknown as Example[]).find((e) => e.name === name)?.examples.find(pick);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name} example to start from`);
  return structuredClone(found);
};

export interface Delivery {
  id: string;
  event: string;
  payload: Payload;
  status: number;
}

/** Comment ids, unique across senders as GitHub's are. */
let commentCount = 0;

export class Webhooks {
  readonly deliveries: Delivery[] = [];

  constructor(
    private readonly url: string,
    private readonly secret: string,
    readonly owner: string,
    readonly repo: string,
    private readonly installation = 1,
  ) {}

  /** Signs and posts one delivery; a redelivery keeps the delivery id, as GitHub's does. Ids are GUIDs, unique across senders, as GitHub's are. */
  async send(event: string, payload: Payload, id: string = randomUUID()): Promise<number> {
    const body = JSON.stringify(payload);
    const res = await fetch(`${this.url}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': id,
        'x-hub-signature-256': `sha256=${createHmac('sha256', this.secret).update(body).digest('hex')}`,
      },
      body,
    });
    await res.arrayBuffer();
    if (!this.deliveries.some((d) => d.id === id)) this.deliveries.push({ id, event, payload, status: res.status });
    return res.status;
  }

  /** Sends every delivery made so far again, each with its own id; returns the answers' statuses. */
  async redeliverAll(): Promise<number[]> {
    const statuses: number[] = [];
    for (const d of [...this.deliveries]) statuses.push(await this.send(d.event, d.payload, d.id));
    return statuses;
  }

  private forRepo(payload: Payload): Payload {
    Object.assign(payload.repository, { name: this.repo, full_name: `${this.owner}/${this.repo}`, default_branch: 'main' });
    payload.repository.owner.login = this.owner;
    payload.installation = { id: this.installation };
    return payload;
  }

  pullRequest(action: 'opened' | 'synchronize', pr: { number: number; head: string; headRef: string; base: string; author: string }): Promise<number> {
    const payload = this.forRepo(example('pull_request', (e) => e.action === 'opened'));
    payload.action = action;
    payload.number = pr.number;
    Object.assign(payload.pull_request, { number: pr.number, state: 'open', merged: false });
    Object.assign(payload.pull_request.head, { sha: pr.head, ref: pr.headRef });
    Object.assign(payload.pull_request.base, { sha: pr.base, ref: 'main' });
    payload.pull_request.user.login = pr.author;
    return this.send('pull_request', payload);
  }

  comment(number: number, body: string, user: string): Promise<number> {
    const payload = this.forRepo(example('issue_comment', (e) => e.action === 'created'));
    payload.issue.number = number;
    payload.issue.pull_request = { url: `https://api.github.com/repos/${this.owner}/${this.repo}/pulls/${number}` };
    Object.assign(payload.comment, { id: 5000 + ++commentCount, body, created_at: new Date().toISOString(), updated_at: new Date().toISOString() });
    Object.assign(payload.comment.user, { login: user, type: 'User' });
    payload.sender.login = user;
    return this.send('issue_comment', payload);
  }

  /** A push to main; `forced` for a force-push, `id` to send a delivery again. */
  push(before: string, after: string, pusher: string, options: { forced?: boolean; id?: string } = {}): Promise<number> {
    const payload = this.forRepo(example('push', (e) => String(e.ref).startsWith('refs/heads/')));
    Object.assign(payload, { ref: 'refs/heads/main', before, after, created: false, deleted: false, forced: options.forced ?? false });
    payload.sender.login = pusher;
    return this.send('push', payload, options.id);
  }

  workflowRun(action: 'requested' | 'in_progress' | 'completed', run: { id: number; title: string; headSha: string; conclusion: string | null; url: string; path: string }): Promise<number> {
    const payload = this.forRepo(example('workflow_run', () => true));
    payload.action = action;
    Object.assign(payload.workflow_run, {
      id: run.id,
      name: 'envsync run',
      display_title: run.title,
      event: 'workflow_dispatch',
      head_branch: 'main',
      head_sha: run.headSha,
      path: run.path,
      status: action === 'completed' ? 'completed' : action === 'requested' ? 'queued' : 'in_progress',
      conclusion: action === 'completed' ? run.conclusion : null,
      html_url: run.url,
    });
    return this.send('workflow_run', payload);
  }
}
