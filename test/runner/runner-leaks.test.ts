// What of `envsync run` could leak a secret past runner.test.ts: a sensitive tofu output, a secret
// a tool prints in two writes, the run's working folder left on disk. The stand-ins of
// demo/sandbox.ts are on PATH behind this file's own `tofu` and `preflight-split`.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoints, infrastructureRepository, installStandIns, prepareConfigRepository } from '../../demo/sandbox.js';
import { RunLog } from '../../src/runner/log.js';

const bin = fileURLToPath(new URL('../../bin/envsync.js', import.meta.url));
const ACCESS_KEY = 'CANARY-access-id-8830';
const OUTPUT_SECRET = 'CANARY-output-pass-6150';

// A tofu whose `output -json` marks an output sensitive, and which carelessly prints that value in
// every call made in the database module (which runs after network's outputs are known).
const TOFU = `#!/usr/bin/env node
const args = process.argv.slice(2);
const secret = ${JSON.stringify(OUTPUT_SECRET)};
if (args[0] === 'output') process.stdout.write(JSON.stringify({ id: { value: 'id-42', type: 'string', sensitive: false }, password: { value: secret, type: 'string', sensitive: true } }));
else console.log('tofu ' + args.join(' ') + (process.cwd().endsWith('database') ? ' password=' + secret : ''));
`;

// Prints the access key and an é each split between two writes a moment apart, and fails its
// first attempt.
const PREFLIGHT = `#!/usr/bin/env node
const fs = require('node:fs');
const key = process.env.AWS_ACCESS_KEY_ID;
const e = Buffer.from('é');
const first = !fs.existsSync(process.env.FAKE_MARK);
fs.writeFileSync(process.env.FAKE_MARK, '');
const writes = [Buffer.concat([Buffer.from('attempt ' + (first ? 1 : 2) + ': caf'), e.subarray(0, 1)]), Buffer.concat([e.subarray(1), Buffer.from(' key ' + key.slice(0, 8))]), Buffer.from(key.slice(8) + '\\n')];
const next = () => {
  if (writes.length === 0) return void (process.exitCode = first ? 1 : 0);
  process.stdout.write(writes.shift());
  setTimeout(next, 200);
};
next();
`;

let work: string;
let endpoints: Endpoints;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-runner-leaks-'));
  endpoints = new Endpoints();
  const base = await endpoints.start();
  infrastructureRepository(join(work, 'infrastructure'));
  installStandIns(join(work, 'bin'));
  mkdirSync(join(work, 'own-bin'));
  for (const [name, script] of Object.entries({ tofu: TOFU, 'preflight-split': PREFLIGHT })) {
    writeFileSync(join(work, 'own-bin', name), script);
    chmodSync(join(work, 'own-bin', name), 0o755);
  }
  prepareConfigRepository(join(work, 'config'), {
    endpoints: base,
    secrets: { accessKey: ACCESS_KEY },
    edit: (_path, text) =>
      text
        .replace('- ./preflight.sh', '- preflight-split')
        .replace('      timeoutSeconds: 300\n      options:\n        container:\n          image: ghcr.io/example/preflight:2', '      timeoutSeconds: 300\n      maxRetryCount: 1\n      options:\n        container:\n          image: ghcr.io/example/preflight:2'),
  });
  mkdirSync(join(work, 'tmp'));
});

afterAll(async () => {
  await endpoints.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('envsync run --runtime process of payments/dev with a sensitive output and a split secret', () => {
  let result: { code: number; stdout: string; stderr: string };
  let resultsText: string;
  let summary: string;
  beforeAll(async () => {
    summary = join(work, 'summary.md');
    writeFileSync(summary, '');
    result = await new Promise((resolve) =>
      execFile(
        process.execPath,
        [bin, 'run', 'payments/dev', '--runtime', 'process', '--approved', 'hook/onInit/change-approval', '--results', 'results.json'],
        {
          cwd: join(work, 'config'),
          env: {
            ...process.env,
            PATH: `${join(work, 'own-bin')}:${join(work, 'bin')}:${process.env.PATH ?? ''}`,
            TMPDIR: join(work, 'tmp'),
            FAKE_MARK: join(work, 'preflight-ran'),
            ENVSYNC_REPOSITORY_INFRASTRUCTURE_URL: `file://${join(work, 'infrastructure')}`,
            GITHUB_STEP_SUMMARY: summary,
            GITHUB_ACTIONS: '',
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    resultsText = readFileSync(join(work, 'config', 'results.json'), 'utf8');
    summary = readFileSync(summary, 'utf8');
  }, 60_000);

  it('succeeds', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('prints a sensitive output in no output, in the activity record or the results, nor when a later tool prints it', () => {
    for (const text of [result.stdout, resultsText, summary]) expect(text).not.toContain(OUTPUT_SECRET);
    expect(result.stdout).toContain('tofu init -input=false password=***');
    const results = JSON.parse(resultsText) as { activities: { id: string; outputs?: Record<string, unknown> }[]; outputs: Record<string, unknown> };
    const password = { value: '(sensitive)', type: 'string', sensitive: true };
    expect(results.activities.find((a) => a.id === 'resource/network/output')?.outputs).toEqual({ id: { value: 'id-42', type: 'string', sensitive: false }, password });
    expect(results.outputs).toMatchObject({ network: { password }, database: { password } });
  });

  it('masks a secret and decodes a character that a tool wrote in two pieces, and keeps the lines of every attempt', () => {
    expect(result.stdout).toContain('::group::hook/onInit/preflight: success after 2 attempts\nattempt 1: café key ***\nattempt 2: café key ***\n::endgroup::');
    for (const text of [result.stdout, resultsText, summary]) expect(text).not.toContain(ACCESS_KEY);
  });

  it('removes its working folder, where the plan and files with secrets were', () => {
    expect(readdirSync(join(work, 'tmp'))).toEqual([]);
  });
});

describe('RunLog.redactAll', () => {
  it('masks a secret holding a quote or a backslash in every string of a value', () => {
    const log = new RunLog(() => undefined, false);
    log.mask(['se"cr\\et']);
    expect(log.redactAll({ a: ['x se"cr\\et y', 3], b: { c: 'se"cr\\et' } })).toEqual({ a: ['x *** y', 3], b: { c: '***' } });
  });
});
