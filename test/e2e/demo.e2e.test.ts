// `npm run demo`, as a newcomer runs it (the built demo, a process of its own): it plays the whole
// loop, exits 0, and leaves the files it names, each holding what GitHub would show.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../../dist/demo/main.js', import.meta.url));
let out: string;
let result: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), 'envsync-demo-test-')), 'demo-output');
  result = await new Promise((resolve) =>
    execFile(process.execPath, [demo, '--out', out], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 }, (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr })),
  );
}, 180_000);

afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

it('plays the seven steps and ends saying the planted secret is nowhere', () => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const headings = result.stdout.split('\n').filter((l) => /^\[/.test(l));
  expect(headings).toEqual([
    '[setup] A platform team adopts envsync',
    '[1/7] Alice opens a pull request that breaks a spec',
    '[2/7] Alice pushes a fix, and a new preflight image in the template both environments use',
    '[3/7] /approve from the author, from a reader, from an approver',
    '[4/7] Carol merges: the system takes the revision and the environments run on runners',
    '[5/7] Someone changes staging in the platform console (the system API)',
    "[6/7] Carol merges the bot's pull request",
    '[7/7] GitHub delivers every webhook of the story again',
    '[end] What GitHub received, and where the planted secret went',
  ]);
  expect(result.stdout).toContain('system API: web-stack v1 now runs ghcr.io/example/preflight:3');
  expect(result.stdout).toMatch(/the secret is in none, nor the API token, the OIDC-shaped token, the webhook secret, the installation token or the private key\n/);
});

it('writes the files it names, with what GitHub would show', () => {
  const named = result.stdout.slice(result.stdout.indexOf('\nFiles')).split('\n').slice(2).map((l) => l.trim()).filter(Boolean);
  expect(readdirSync(out).sort()).toEqual([...named].sort());
  expect(named).toEqual([
    '1-validate-check.md',
    '1-plan-comment.md',
    '2-plan-comment.md',
    '2-checks.md',
    '3-approvals.md',
    '4-run-payments-dev-summary.md',
    '4-run-payments-dev.log',
    '4-run-payments-staging-summary.md',
    '4-run-payments-staging.log',
    '4-deployments.md',
    '5-bot-pull-request.md',
    '5-bot-pull-request.diff',
    '7-redeliveries.md',
    'github-requests.txt',
    'app.log',
  ]);
  expect(readFileSync(join(out, '1-validate-check.md'), 'utf8')).toContain('- `projects/payments/environments/dev.yaml:18:12` failure envsync override-restricted: variable "replicas" is "3"');
  expect(readFileSync(join(out, '4-run-payments-dev-summary.md'), 'utf8')).toContain('```mermaid\nflowchart TD');
  expect(readFileSync(join(out, '4-deployments.md'), 'utf8')).toContain('## payments/staging at');
  expect(readFileSync(join(out, '5-bot-pull-request.diff'), 'utf8')).toContain('-    value: payments-sre\n+    value: payments-platform\n');
});
