// The app on a large repository: the GitHub requests and processing time of a pull request changing
// 100 specs in a 10,000-spec repository (target: at most 10 requests plus one per 50 annotations),
// and the time to answer webhooks under 50 concurrent deliveries (work is queued, not done first).
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import { create as createTar } from 'tar';
import { createEnvsyncApp } from '../src/app/index.js';
import { checkPullRequest } from '../src/flows/review/check-pull-request.js';
import { OctokitPort, type OctokitLike } from '../src/github/octokit-port.js';
import { SystemService } from '../src/system/service.js';
import { openStore } from '../src/system/store.js';
import { filesFromTarball } from '../src/github/tarball.js';
import { DEFAULT_MAX_FILE_BYTES } from '../src/specs/parse.js';
import { generateRepository } from './generate-repo.js';
import { median, ms } from './measure.js';
import { freePort } from '../demo/sandbox.js';

function tarball(workDir: string, name: string, files: Map<string, string>): Buffer {
  const dir = join(workDir, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of files) {
    const full = join(dir, 'acme-config-1', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  createTar({ gzip: true, cwd: dir, file: join(dir, 'repo.tgz'), sync: true, portable: true }, ['acme-config-1']);
  return readFileSync(join(dir, 'repo.tgz'));
}

async function pullRequestCost(workDir: string): Promise<{ requests: number; annotations: number; times: number[]; runs: number }> {
  const base = generateRepository(10_000);
  const head = new Map(base);
  let changed = 0;
  for (const [path, text] of base) {
    if (changed >= 100 || !path.includes('/environments/')) continue;
    head.set(path, text.replace('[team-', '[squad-'));
    changed++;
  }
  const tarballs = new Map([
    ['base-sha', tarball(workDir, 'pr-base', base)],
    ['head-sha', tarball(workDir, 'pr-head', head)],
  ]);
  let requests = 0;
  let annotations = 0;
  const octokit: OctokitLike = {
    request: async (route, params = {}) => {
      requests++;
      if (route.startsWith('GET /repos/{owner}/{repo}/pulls/{pull_number}')) return { status: 200, data: { number: 1, state: 'open', head: { sha: 'head-sha' }, base: { sha: 'base-sha', ref: 'main' }, user: { login: 'alice' } } };
      if (route.startsWith('GET /repos/{owner}/{repo}/contents/')) return { status: 200, data: '# envsync: the defaults\n' };
      if (route.startsWith('GET /repos/{owner}/{repo}/tarball/')) return { status: 200, data: tarballs.get(params.ref as string)!.buffer.slice(0) };
      if (route.startsWith('GET /repos/{owner}/{repo}/issues/')) return { status: 200, data: [] };
      if (route.startsWith('GET /repos/{owner}/{repo}/commits/{ref}/check-runs')) return { status: 200, data: { check_runs: [] } };
      const output = params.output as { annotations?: unknown[] } | undefined;
      annotations += output?.annotations?.length ?? 0;
      return { status: 201, data: { id: requests } };
    },
  };
  const store = await openStore({ url: ':memory:' });
  const service = new SystemService(store);
  // A followed config repository whose base the system holds: the check reads the head alone.
  await store.followRepository('acme/config');
  const baseFiles = await filesFromTarball(new Uint8Array(tarballs.get('base-sha')!), { root: '.', maxFileBytes: DEFAULT_MAX_FILE_BYTES });
  await service.applyRevision(baseFiles, 'base-sha', { trigger: 'webhook', actor: null }, { repo: 'acme/config' });
  const times: number[] = [];
  let runs = 0;
  let perRun = 0;
  for (let round = 0; round < 3; round++) {
    requests = 0;
    const start = performance.now();
    const outcome = await checkPullRequest(new OctokitPort(octokit), service, store, { number: 1, pull_request: { head: { sha: 'head-sha' } }, repository: { name: 'config', owner: { login: 'acme' } } });
    times.push(performance.now() - start);
    perRun = requests;
    if ('checked' in outcome) runs = outcome.checked.runs;
  }
  await store.close();
  return { requests: perRun, annotations: annotations / 3, times, runs };
}

async function webhookAnswers(): Promise<number[]> {
  // GitHub's stand-in answers every API call with 404 at once: the measure is the webhook answer,
  // which must not wait for the queued work.
  const api = createHttpServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}'));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const secret = 'bench-secret';
  const store = await openStore({ url: ':memory:' });
  await store.followRepository('acme/config');
  const envsync = createEnvsyncApp({ system: new SystemService(store), driftMinutes: 0 });
  const log = pino({ level: 'silent' });
  const server = new Server({
    host: '127.0.0.1',
    // Probot turns port 0 into 3000, which may be taken: a port found free.
    port: await freePort(),
    log,
    Probot: Probot.defaults({
      appId: 1,
      privateKey,
      secret,
      baseUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      log,
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { ...(o.throttle as object), enabled: false } })),
    }),
  });
  await server.load(envsync.appFn);
  const http = await server.start();
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/github/webhooks`;
  const times = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const body = JSON.stringify({
        action: 'opened',
        number: i + 1,
        pull_request: { number: i + 1, head: { sha: `sha-${i}` } },
        repository: { name: 'config', owner: { login: 'acme' }, full_name: 'acme/config' },
        installation: { id: 1 },
      });
      const start = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': `bench-${i}`, 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
        body,
      });
      await res.text();
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      return performance.now() - start;
    }),
  );
  await envsync.running()?.queue.idle();
  await server.stop();
  await envsync.running()?.stop();
  await store.close();
  await new Promise((resolve) => api.close(resolve));
  return times.sort((a, b) => a - b);
}

export async function benchApp(workDir: string): Promise<string> {
  const pr = await pullRequestCost(workDir);
  const answers = await webhookAnswers();
  return `## The app on pull requests

A pull request changing 100 environments of a 10,000-spec repository of a followed config repository
whose base the system holds, as a server's first check reads it: the head as one tarball, planned against the system
(later checks read only the changed files: see \`The app on large repositories\`); median of 3 rounds.

| measure | result | target |
| --- | --- | --- |
| GitHub requests for the pull request (${pr.annotations} annotations) | **${pr.requests}** | ≤ 10 + 1 per 50 annotations |
| processing time: read, validate, plan ${pr.runs} runs, write checks and comment | ${ms(median(pr.times))} | |
| time to answer a webhook, 50 concurrent deliveries: median / slowest | ${ms(median(answers))} / **${ms(answers.at(-1)!)}** | well within GitHub's 10 s |
`;
}
