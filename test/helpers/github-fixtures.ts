// Webhook payloads from @octokit/webhooks-examples (with what they lack for an app: the installation,
// a pull request link on the issue), and repository files as the in-memory GitHub holds them.
import { example } from '../../demo/webhooks.js';
import { tarballOf as tarballUnder } from '../../src/github/memory-port.js';
import type { SourceFile } from '../../src/specs/source.js';

export function pullRequestOpened(head: string, base: string) {
  const payload = example('pull_request', (e) => e.action === 'opened');
  payload.pull_request.head.sha = head;
  payload.pull_request.base.sha = base;
  payload.installation = { id: 1 };
  return payload;
}

export function commentCreated(body: string, user: string, type: 'User' | 'Bot' = 'User') {
  const payload = example('issue_comment', (e) => e.action === 'created');
  payload.issue.number = 2;
  payload.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2' };
  payload.comment.body = body;
  payload.comment.id = 99;
  payload.comment.user.login = user;
  payload.comment.user.type = type;
  payload.installation = { id: 1 };
  return payload;
}

/** The files read with their content, by path: a commit's tree for MemoryPort.commit. */
export const contentsOf = (files: readonly SourceFile[]): Record<string, Uint8Array> => Object.fromEntries(files.flatMap((f) => (f.content ? [[f.path, f.content]] : [])));

/** A gzipped tarball holding `files` under GitHub's `owner-repo-sha/` top folder. */
export const tarballOf = (files: readonly SourceFile[]): Uint8Array => tarballUnder('Codertocat-Hello-World-abc', files.flatMap(({ path, content }) => (content ? [{ path, content }] : [])));
