// A large repository and a pull request with many findings, on GitHub in memory: the check reads the
// head in one tarball and nothing per file, and writes its checks and comment once, every finding
// annotated. (How the Octokit port sends annotations, 50 a request, is its own suite's.)
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CONFIG_PATH } from '../../src/config/config.js';
import { MemoryPort } from '../../src/github/memory-port.js';
import { openStore, type Store } from '../../src/system/store.js';
import { SystemService } from '../../src/system/service.js';
import { generateRepository } from '../../bench/generate-repo.js';
import { pullRequestOpened } from '../helpers/github-fixtures.js';
import { sources } from '../helpers/repo.js';
import { stopAppCleanly } from '../helpers/app-teardown.js';
import { startMemoryApp, type MemoryApp } from '../helpers/memory-app.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

let store: Store;
let port: MemoryPort;
let running: MemoryApp;

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  port = new MemoryPort();
  running = await startMemoryApp(store, port);
});
afterEach(() => stopAppCleanly(running.app, store));

it('checks a pull request breaking 120 environments of a 2,000-spec repository with three reads (one tarball, nothing per file) and three writes', async () => {
  const base = generateRepository(2_000);
  const head = new Map(base);
  let broken = 0;
  for (const [path, text] of base) {
    if (broken < 120 && path.includes('/environments/')) {
      head.set(path, text.replace(/name: et-\d+/, 'name: missing-template'));
      broken++;
    }
  }
  // The system holds the base: the pull request is planned against it.
  await store.followRepository('Codertocat/Hello-World');
  await new SystemService(store).applyRevision(sources(Object.fromEntries(base)), BASE, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
  port.commit({ branch: 'main', sha: BASE, tree: { ...Object.fromEntries(base), [CONFIG_PATH]: DEFAULTS } });
  port.commit({ branch: 'change', parents: [BASE], sha: HEAD, tree: { ...Object.fromEntries(head), [CONFIG_PATH]: DEFAULTS } });
  port.openPullRequest({ number: 2, head: 'change', base: 'main', author: 'alice' });

  await running.receive('pull_request', pullRequestOpened(HEAD, BASE), 'huge');

  expect(port.reads).toEqual(['getPullRequest #2', `getFile ${CONFIG_PATH}@${BASE}`, `getTarball ${HEAD}`]);
  expect(port.calls).toEqual([`check envsync/validate ${HEAD} completed failure`, `check envsync/plan ${HEAD} completed success`, 'comment #2 created']);
  expect(port.checkRuns.map((c) => [c.name, c.output.annotations?.length ?? 0])).toEqual([
    ['envsync/validate', 120],
    ['envsync/plan', 0],
  ]);
});
