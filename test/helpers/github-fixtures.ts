// Webhook payloads from @octokit/webhooks-examples (with what they lack for an app: the installation,
// a pull request link on the issue) and repository tarballs as GitHub serves them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create as createTar } from 'tar';
import { example } from '../../demo/webhooks.js';
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

/** A gzipped tarball holding `files` under GitHub's `owner-repo-sha/` top folder. */
export function tarballOf(files: readonly SourceFile[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'envsync-tarball-'));
  try {
    for (const f of files) {
      if (!f.content) continue;
      const path = join(dir, 'Codertocat-Hello-World-abc', f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    createTar({ gzip: true, cwd: dir, file: join(dir, 't.tgz'), sync: true, portable: true }, ['Codertocat-Hello-World-abc']);
    return readFileSync(join(dir, 't.tgz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
