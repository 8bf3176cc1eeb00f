// How fast the console's pages answer, over HTTP, on the demo's store (the example repository and a
// few runs) and on a busy one (120 environments, 2,000 runs, 1,000 sync events): the issue asks for
// every page within 100 ms on the demo's store. Each page is asked 20 times a round after a first
// request (the permission lookup is then kept, as it is for a minute in production); 5 rounds,
// median and spread of the rounds' medians.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createConsoleHandler } from '../src/console/handler.js';
import { newToken, sealSession, SESSION_COOKIE } from '../src/console/session.js';
import { MemoryPort } from '../src/github/memory-port.js';
import { SystemService } from '../src/system/service.js';
import { openStore } from '../src/system/store.js';
import type { SourceFile } from '../src/specs/source.js';
import { packageRoot } from '../src/version.js';
import { median, ms, times, withSpread } from './measure.js';

const ROUNDS = 5;
const ASKS = 20;
const REVISION = 'b'.repeat(40);
const RUNNER = { branch: 'main', workflow: 'envsync-run.yml', labels: {}, defaultLabels: ['ubuntu-latest'] };

function exampleFiles(extraEnvironments: number): SourceFile[] {
  const root = join(packageRoot(), 'examples', 'config-repo');
  const files: SourceFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else if (entry.name.endsWith('.yaml')) files.push({ path, size: 0, content: readFileSync(join(dir, entry.name)) });
    }
  };
  walk(root, '');
  const dev = readFileSync(join(root, 'projects/payments/environments/dev.yaml'), 'utf8');
  for (let i = 0; i < extraEnvironments; i++) {
    const text = dev.replace('name: dev', `name: env-${i}`);
    files.push({ path: `projects/payments/environments/env-${i}.yaml`, size: text.length, content: Buffer.from(text) });
  }
  return files.map((f) => ({ ...f, size: f.content!.length }));
}

interface Site {
  base: string;
  cookie: string;
  runId: string;
  close(): Promise<void>;
}

async function site(busy: boolean): Promise<Site> {
  const store = await openStore({ url: ':memory:' });
  const service = new SystemService(store);
  await store.followRepository('acme/config');
  await store.updateRepository('acme/config', { installationId: 7, defaultBranch: 'main' });
  await service.applyRevision(exampleFiles(busy ? 118 : 0), REVISION, { trigger: 'manual', actor: 'bench' }, { repo: 'acme/config', projects: ['*'], runner: RUNNER });
  const environments = (await service.list({ kind: 'Environment' })).map((e) => e.name);
  const runs = busy ? 2_000 : 6;
  const activities = Array.from({ length: 20 }, (_, i) => ({ id: `resource/r${i}/apply`, type: 'stage', dependsOn: i ? [`resource/r${i - 1}/apply`] : [], status: 'success', attempts: 1, startedAt: i, finishedAt: i + 1 }));
  let runId = '';
  for (let i = 0; i < runs; i++) {
    const run = await store.createRun({ id: `run-${i}`, project: 'payments', environment: environments[i % environments.length]!, action: 'deploy', revision: REVISION, status: 'success', activities, outputs: {} });
    runId = run.id;
  }
  if (busy) {
    const dev = (await service.find({ kind: 'Environment', project: 'payments', name: 'dev' }))!.spec as Record<string, unknown> & { metadata: Record<string, unknown> };
    for (let i = 0; i < 1_000; i++) await store.putResource({ kind: 'Environment', project: 'payments', name: 'dev', spec: { ...dev, metadata: { ...dev.metadata, description: `edit ${i}` } } }, { trigger: 'internal', actor: 'bench' });
  }
  const port = new MemoryPort();
  port.permissions.set('alice', 'write');
  const key = new Uint8Array(32).fill(9);
  const handler = createConsoleHandler({
    service,
    settings: { clientId: 'bench', clientSecret: 'bench', sessionKey: key },
    apiRoot: 'http://github.invalid/api/v3',
    webRoot: 'http://github.invalid',
    portOf: async () => port,
    requestSync: async () => {},
    log: { error: (e) => console.error(e), info: () => {} },
  });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cookie = `${SESSION_COOKIE}=${await sealSession({ login: 'alice', id: 1, csrf: newToken() }, key)}`;
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cookie,
    runId,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

async function ask(s: Site, path: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${s.base}${path}`, { headers: { cookie: s.cookie } });
  await res.text();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return performance.now() - started;
}

export async function benchConsole(): Promise<string> {
  const sites = { demo: await site(false), busy: await site(true) };
  const pages = (s: Site): [string, string][] => [
    ['environments', '/console'],
    ['an environment', '/console/projects/payments/environments/dev'],
    ['launch form', '/console/projects/payments/launch?template=web-stack@v1'],
    ['runs', '/console/runs'],
    ['a run', `/console/runs/${s.runId}`],
    ['sync events', '/console/events'],
  ];
  const rows: string[] = [];
  for (const [i, [name]] of pages(sites.demo).entries()) {
    const figures: Record<string, number[]> = { demo: [], busy: [] };
    for (const which of ['demo', 'busy'] as const) {
      const s = sites[which];
      const path = pages(s)[i]![1];
      await ask(s, path);
      for (let round = 0; round < ROUNDS; round++) {
        const asked: number[] = [];
        for (let n = 0; n < ASKS; n++) asked.push(await ask(s, path));
        figures[which]!.push(median(asked));
      }
    }
    const ratio = figures.busy!.map((b, r) => b / figures.demo![r]!);
    rows.push(`| ${name} | ${withSpread(figures.demo!, ms1)} | ${withSpread(figures.busy!, ms1)} | ${withSpread(ratio, times)} |`);
  }
  await sites.demo.close();
  await sites.busy.close();
  return `## The console's pages

Each page asked over HTTP as a signed-in writer, ${ASKS} times a round after a first request, ${ROUNDS}
rounds: median and (in brackets) spread of the rounds' medians. The demo's store holds the example
repository and 6 runs; the busy one 120 environments, 2,000 runs of 20 activities and 1,000 more sync
events. The issue asks for every page within 100 ms on the demo's store.

| page | demo's store | busy store | ratio busy / demo |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
}

const ms1 = (n: number) => (n < 10 ? `${n.toFixed(1)} ms` : ms(n));
