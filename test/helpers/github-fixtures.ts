// Webhook payloads from @octokit/webhooks-examples (with what they lack for an app: the installation,
// a pull request link on the issue) and repository tarballs as GitHub serves them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import examples from '@octokit/webhooks-examples';
import { create as createTar } from 'tar';
import type { SourceFile } from '../../src/specs/source.js';

type Example = { name: string; examples: Record<string, unknown>[] };
const find = (name: string, pick: (e: Record<string, unknown>) => boolean) =>
  structuredClone((examples as unknown as Example[]).find((e) => e.name === name)!.examples.find(pick)!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function pullRequestOpened(head: string, base: string) {
  const payload = find('pull_request', (e) => e.action === 'opened');
  payload.pull_request.head.sha = head;
  payload.pull_request.base.sha = base;
  payload.installation = { id: 1 };
  return payload;
}

export function commentCreated(body: string, user: string, type: 'User' | 'Bot' = 'User') {
  const payload = find('issue_comment', (e) => e.action === 'created');
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
