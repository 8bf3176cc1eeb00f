// `envsync run` as a runner executes it: the example environment's whole activity graph, with real
// subprocesses, a real git clone and a local HTTP server. `tofu` and `docker` are stand-ins on PATH
// (see STAND_IN_TOOL in demo/sandbox.ts): they record how they were called and play the tool's part, so that what envsync
// asks of them is asserted exactly. Planted secrets must come out of no output.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoints, infrastructureRepository, installStandIns, prepareConfigRepository } from '../../demo/sandbox.js';

const bin = fileURLToPath(new URL('../../bin/envsync.js', import.meta.url));
const SECRET_KEY = 'CANARY-secret-key-4417';
const ACCESS_KEY = 'CANARY-access-id-8830';
const PULL_PASSWORD = 'CANARY-pull-pass-2291';

interface ToolCall {
  tool: string;
  args: string[];
  cwd: string;
  stdin: string;
  env: Record<string, string>;
}

let work: string;
let endpoints: Endpoints;
let requests: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-runner-'));
  endpoints = new Endpoints();
  requests = endpoints.requests;
  const base = await endpoints.start();
  infrastructureRepository(join(work, 'infrastructure'));
  installStandIns(join(work, 'bin'));
  // The example config repository with its endpoints pointed at the local server and canaries
  // planted where its secrets are; database runs on the runner's own tofu while network keeps its
  // driver image (both paths run).
  prepareConfigRepository(join(work, 'config'), {
    endpoints: base,
    secrets: { secretKey: SECRET_KEY, accessKey: ACCESS_KEY, pullPassword: PULL_PASSWORD },
    edit: (_path, text) => text.replace('  providerOptions:\n    driver:\n      name: tofu-runner\n    opentofu:\n      backendType: system', '  providerOptions:\n    opentofu:\n      backendType: system'),
  });
});

afterAll(async () => {
  await endpoints.stop();
  rmSync(work, { recursive: true, force: true });
});

async function run(name: string, args: string[], env: Record<string, string> = {}, config = 'config') {
  const log = join(work, `${name}.log`);
  writeFileSync(log, '');
  const summary = join(work, `${name}.summary.md`);
  requests.length = 0;
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [bin, 'run', ...args, '--results', `${name}.json`],
      {
        cwd: join(work, config),
        env: {
          ...process.env,
          PATH: `${join(work, 'bin')}:${process.env.PATH ?? ''}`,
          FAKE_LOG: log,
          ENVSYNC_REPOSITORY_INFRASTRUCTURE_URL: `file://${join(work, 'infrastructure')}`,
          GITHUB_STEP_SUMMARY: summary,
          GITHUB_ACTIONS: '',
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ToolCall);
  if (!existsSync(join(work, config, `${name}.json`))) throw new Error(`envsync run wrote no results (exit ${result.code}):\n${result.stderr}\n${result.stdout.slice(-2000)}`);
  const results = JSON.parse(readFileSync(join(work, config, `${name}.json`), 'utf8')) as { status: string; activities: { id: string; status: string; reason?: string }[]; outputs: Record<string, unknown> };
  const everything = [result.stdout, result.stderr, readFileSync(join(work, config, `${name}.json`), 'utf8'), readFileSync(summary, 'utf8')].join('\n');
  return { ...result, calls, results, summary: readFileSync(summary, 'utf8'), everything };
}

/** The module directory a stage ran in: the mount of a driver image, or the working directory. */
const moduleOf = (c: ToolCall) => {
  const mount = c.args.find((a) => a.endsWith(':/envsync/resource'));
  return (mount ? mount.slice(0, -':/envsync/resource'.length) : c.cwd).split('/').slice(-4).join('/');
};

const statuses = (r: { activities: { id: string; status: string }[] }) => Object.fromEntries(r.activities.map((a) => [a.id, a.status]));
const line = (c: ToolCall) => `${c.tool} ${c.args.join(' ')}`.replace(/\/tmp\/[^:\s]+/g, '<tmp>');

describe('envsync run of payments/dev', () => {
  let deploy: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    deploy = await run('deploy', ['payments/dev', '--approved', 'hook/onInit/change-approval']);
  }, 60_000);

  it('succeeds, exits 0 and says where the results are', () => {
    expect(deploy.stderr).toBe('');
    expect(deploy.code).toBe(0);
    expect(deploy.stdout.trim().split('\n').at(-1)).toBe('success: payments/dev deploy; results in deploy.json');
    expect(deploy.results.status).toBe('success');
    expect(Object.values(statuses(deploy.results)).every((s) => s === 'success' || s === 'skipped')).toBe(true);
  });

  it('calls docker and tofu in dependency order, exactly as asked, in each module\'s directory', () => {
    const login = 'docker login ghcr.io --username platform-bot --password-stdin';
    // network names a driver for its provider: its stages run in that driver's image.
    const image = (env = '') => `docker run --rm -v <tmp>:/envsync/files -v <tmp>:/envsync/resource --cpus 0.5 --memory 1024m --workdir /envsync/resource -v <tmp>:/workspace/.terraform.d -e AWS_ACCESS_KEY_ID -e AWS_REGION -e TF_IN_AUTOMATION${env} ghcr.io/example/opentofu-runner:1.7.2`;
    expect(deploy.calls.map(line)).toEqual([
      'docker run --rm -v <tmp>:/envsync/files -e AWS_ACCESS_KEY_ID -e AWS_REGION -e LOG_LEVEL ghcr.io/example/preflight:2 /bin/sh -c ./preflight.sh',
      login, // once for the run, not before every stage
      `${image()} tofu init -input=false -backend-config=bucket=example-state -backend-config=region=eu-west-1`,
      `${image(' -e TF_VAR_aws_secret_access_key -e TF_VAR_cidr -e TF_VAR_name')} tofu plan -input=false -out=envsync.tfplan -var-file=backend.tfvars.json`,
      `${image()} tofu apply -input=false envsync.tfplan`,
      `${image()} tofu output -json`,
      'docker run --rm -v <tmp>:/envsync/files --memory 256m -e AWS_ACCESS_KEY_ID -e AWS_REGION ghcr.io/example/pg-tools:16 pg-snapshot-check',
      // database names no driver: the runner's own tofu.
      'tofu init -input=false',
      'tofu plan -input=false -out=envsync.tfplan',
      'tofu apply -input=false envsync.tfplan',
      'tofu output -json',
      'docker run --rm -v <tmp>:/envsync/files -e AWS_ACCESS_KEY_ID -e AWS_REGION ghcr.io/example/kube-deployer:3 deploy',
      'docker run --rm -v <tmp>:/envsync/files -e AWS_ACCESS_KEY_ID -e AWS_REGION ghcr.io/example/kube-deployer:3 deploy',
    ]);
    const stages = deploy.calls.filter((c) => c.args.includes('tofu') || c.tool === 'tofu');
    expect(stages.map(moduleOf)).toEqual([...Array(4).fill('resources/network/modules/network'), ...Array(4).fill('resources/database/modules/database')]);
    expect(deploy.calls.filter((c) => c.args[0] === 'login').every((c) => c.stdin === PULL_PASSWORD)).toBe(true);
  });

  it('gives tofu plan the variables as TF_VAR_*, expressions resolved and secrets included, never as arguments', () => {
    const plan = deploy.calls.find((c) => c.args.includes('plan'))!;
    expect(plan.env).toMatchObject({ TF_VAR_name: 'dev', TF_VAR_cidr: '10.20.0.0/16', TF_VAR_aws_secret_access_key: SECRET_KEY, AWS_ACCESS_KEY_ID: ACCESS_KEY });
    expect(deploy.calls.every((c) => !c.args.join(' ').includes(SECRET_KEY) && !c.args.join(' ').includes(ACCESS_KEY))).toBe(true);
    expect(deploy.calls.find((c) => c.args.includes('init'))!.env.TF_VAR_name).toBeUndefined();
  });

  it('calls the HTTP hooks with their method and body: the plan check, the smoke test, the announcement', () => {
    expect(requests).toEqual(['POST /policy/check', 'GET /status/payments', 'POST /chat/hooks/environments {"text": "environment run finished"}']);
  });

  it('records each resource\'s outputs as tofu printed them', () => {
    expect(deploy.results.outputs).toMatchObject({ network: { id: { value: 'network-42' } }, database: { id: { value: 'database-42' } } });
  });

  it('groups the log per activity and writes a job summary with each activity\'s status', () => {
    expect(deploy.stdout).toContain('::group::resource/database/apply: success\ntofu apply -input=false envsync.tfplan');
    expect(deploy.summary).toContain('### envsync deploy of `payments/dev`: success');
    // A time is shown where it matters (1 s or more): the stand-in tools take less.
    expect(deploy.summary).toMatch(/\| ✅ success \| `resource\/network\/apply` \| stage \| (\d+\.\d s)? \| {2}\|/);
  });

  it('masks the secrets a careless tool printed, in every output', () => {
    expect(deploy.calls.some((c) => JSON.stringify(c).includes(SECRET_KEY))).toBe(true); // the tools did get them
    for (const canary of [SECRET_KEY, ACCESS_KEY, PULL_PASSWORD]) expect(deploy.everything).not.toContain(canary);
    expect(deploy.stdout).toContain('"TF_VAR_aws_secret_access_key":"***"');
  });
});

describe('envsync run when something fails', () => {
  it('holds a run whose approval gate is not approved: nothing is deployed, onFailure runs, exit 1', async () => {
    const held = await run('held', ['payments/dev']);
    expect(held.code).toBe(1);
    expect(held.calls).toEqual([]);
    expect(statuses(held.results)).toMatchObject({ 'hook/onInit/change-approval': 'failure', 'resource/network/checkout': 'skipped', 'hook/onFailure/page-on-call': 'success', 'hook/onSuccess/smoke-test': 'skipped' });
  }, 60_000);

  it('stops at a failed tofu apply: later resources are skipped, onFailure and onCompletion run', async () => {
    const failed = await run('failed', ['payments/dev', '--approved', 'hook/onInit/change-approval'], { FAKE_FAIL: 'apply' });
    expect(failed.code).toBe(1);
    expect(failed.stdout.trim().split('\n').at(-1)).toBe('failure: payments/dev deploy; results in failed.json');
    expect(failed.results.activities.find((a) => a.id === 'resource/network/apply')).toMatchObject({ status: 'failure', reason: 'tofu apply in ghcr.io/example/opentofu-runner:1.7.2 exited with 3' });
    expect(statuses(failed.results)).toMatchObject({ 'resource/network/output': 'skipped', 'resource/database/init': 'skipped', 'hook/onFailure/page-on-call': 'success', 'hook/onCompletion/announce': 'success', 'hook/onSuccess/smoke-test': 'skipped' });
    expect(failed.calls.map(line).at(-1)).toMatch(/ghcr\.io\/example\/opentofu-runner:1\.7\.2 tofu apply -input=false envsync\.tfplan$/);
    expect(requests).toEqual(['POST /policy/check', 'POST /chat/hooks/environments {"text": "environment run finished"}', 'POST /chat/hooks/environments {"text": "environment run finished"}']);
  }, 60_000);
});

describe('envsync run of a resource whose repository has no URL', () => {
  const env = { ENVSYNC_REPOSITORY_INFRASTRUCTURE_URL: '' };

  it('fails at the checkout and says which variable to set', async () => {
    const result = await run('no-url', ['payments/dev', '--approved', 'hook/onInit/change-approval'], env);
    expect(result.code).toBe(1);
    expect(result.results.activities.find((a) => a.id === 'resource/network/checkout')).toMatchObject({ status: 'failure', reason: 'repository "infrastructure" has no URL: set ENVSYNC_REPOSITORY_INFRASTRUCTURE_URL' });
    expect(result.calls.map(line)).toEqual([expect.stringContaining('ghcr.io/example/preflight:2')]);
  }, 60_000);

  it('is shown, not failed, by a dry run, which runs no tool at all', async () => {
    const result = await run('dry', ['payments/dev', '--dry-run', '--approved', 'hook/onInit/change-approval'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('::group::resource/network/checkout: success\nwould run: git clone of repository "infrastructure" has no URL: set ENVSYNC_REPOSITORY_INFRASTRUCTURE_URL\n');
    expect(result.calls).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);
});

describe('envsync run under GitHub Actions', () => {
  it('registers each secret with ::add-mask:: before anything could print it, and prints it nowhere else', async () => {
    const result = await run('actions', ['payments/dev', '--approved', 'hook/onInit/change-approval'], { GITHUB_ACTIONS: 'true' });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    for (const canary of [SECRET_KEY, ACCESS_KEY]) {
      const mask = lines.indexOf(`::add-mask::${canary}`);
      expect(mask).toBeGreaterThanOrEqual(0);
      expect(mask).toBeLessThan(lines.findIndex((l) => l.startsWith('::group::')));
      expect(lines.filter((l) => l.includes(canary))).toEqual([`::add-mask::${canary}`]);
    }
  }, 60_000);

  it('registers the values of names the repository calls credentials (sensitive.names) as secrets too', async () => {
    cpSync(join(work, 'config'), join(work, 'config-names'), { recursive: true });
    const settings = join(work, 'config-names', '.github', 'envsync.yml');
    mkdirSync(dirname(settings), { recursive: true });
    writeFileSync(settings, `${existsSync(settings) ? readFileSync(settings, 'utf8') : ''}\nsensitive:\n  names: [owner_*]\n`);
    const args = ['payments/dev', '--dry-run', '--approved', 'hook/onInit/change-approval'];
    const masked = (stdout: string) => stdout.split('\n').includes('::add-mask::payments-dev');
    expect(masked((await run('names-off', args, { GITHUB_ACTIONS: 'true' })).stdout)).toBe(false);
    expect(masked((await run('names-on', args, { GITHUB_ACTIONS: 'true' }, 'config-names')).stdout)).toBe(true);
  }, 60_000);

  it('stops when the job is cancelled (SIGTERM): running activities are ended, the results say cancelled', async () => {
    const log = join(work, 'cancel.log');
    writeFileSync(log, '');
    const child = spawn(process.execPath, [bin, 'run', 'payments/dev', '--approved', 'hook/onInit/change-approval', '--results', 'cancel.json'], {
      cwd: join(work, 'config'),
      env: { ...process.env, PATH: `${join(work, 'bin')}:${process.env.PATH ?? ''}`, FAKE_LOG: log, FAKE_SLOW: 'apply', ENVSYNC_REPOSITORY_INFRASTRUCTURE_URL: `file://${join(work, 'infrastructure')}`, GITHUB_STEP_SUMMARY: '', GITHUB_ACTIONS: '' },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    while (!readFileSync(log, 'utf8').includes('"apply"')) {
      if (Date.now() - started > 30_000) throw new Error('tofu apply never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000); // not the minute the stand-in would take
    const results = JSON.parse(readFileSync(join(work, 'config', 'cancel.json'), 'utf8')) as { status: string; activities: { id: string; status: string }[] };
    expect(results.status).toBe('cancelled');
    expect(results.activities.find((a) => a.id === 'resource/network/apply')?.status).toBe('cancelled');
    expect(results.activities.find((a) => a.id === 'resource/database/init')?.status).toBe('cancelled');
  }, 60_000);
});

describe('envsync run --runtime process, for runners without docker', () => {
  it('runs containers\' commands as processes, with their env vars and files folder, and provider stages on the runner', async () => {
    cpSync(join(work, 'config'), join(work, 'config-process'), { recursive: true });
    const template = join(work, 'config-process', 'projects/payments/environmenttemplates/web-stack.yaml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('- ./preflight.sh', '- echo "preflight LOG_LEVEL=$LOG_LEVEL in $ENVSYNC_FILES_DIR"'));
    const result = await run('process', ['payments/dev', '--runtime', 'process', '--approved', 'hook/onInit/change-approval'], {}, 'config-process');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::group::hook\/onInit\/preflight: success\npreflight LOG_LEVEL=info in \/tmp\/\S+\/container-\w+\n::endgroup::/);
    expect(result.calls.map((c) => `${c.tool} ${c.args.join(' ')}`)).toEqual([
      'tofu init -input=false -backend-config=bucket=example-state -backend-config=region=eu-west-1',
      'tofu plan -input=false -out=envsync.tfplan -var-file=backend.tfvars.json',
      'tofu apply -input=false envsync.tfplan',
      'tofu output -json',
      'tofu init -input=false',
      'tofu plan -input=false -out=envsync.tfplan',
      'tofu apply -input=false envsync.tfplan',
      'tofu output -json',
      'deploy ',
      'deploy ',
    ]);
    // A command the runner lacks fails its activity, saying so (this hook's onFailure lets the run go on).
    expect(result.results.activities.find((a) => a.id === 'resource/database/onInit/snapshot-check')).toMatchObject({ status: 'failure', reason: expect.stringContaining('cannot run pg-snapshot-check') });
  }, 60_000);
});

describe('envsync run --action destroy', () => {
  it('destroys in reverse dependency order, backing up state first through a driver whose pull password goes by stdin', async () => {
    const destroy = await run('destroy', ['payments/dev', '--action', 'destroy', '--approved', 'hook/onInit/change-approval']);
    expect(destroy.stderr).toBe('');
    expect(destroy.code).toBe(0);
    const tools = destroy.calls.map(line);
    const at = (text: string) => tools.findIndex((t) => t.startsWith(text));
    expect(at('docker run --rm -v <tmp>:/envsync/files -e AWS_ACCESS_KEY_ID -e AWS_REGION ghcr.io/example/kube-deployer:3')).toBeLessThan(at('tofu plan -destroy'));
    const plans = destroy.calls.filter((c) => c.args.includes('plan'));
    expect(plans.map((c) => moduleOf(c).split('/').at(-1))).toEqual(['database', 'network']);
    expect(plans.every((c) => c.args.includes('-destroy'))).toBe(true);
    const login = destroy.calls.find((c) => c.args[0] === 'login')!;
    expect(login.args).toEqual(['login', 'ghcr.io', '--username', 'platform-bot', '--password-stdin']);
    expect(login.stdin).toBe(PULL_PASSWORD);
    expect(tools).toContain('docker run --rm -v <tmp>:/envsync/files --cpus 0.5 --memory 1024m --workdir /workspace -v <tmp>:/workspace/.terraform.d -e AWS_ACCESS_KEY_ID -e AWS_REGION -e TF_IN_AUTOMATION ghcr.io/example/opentofu-runner:1.7.2 /bin/sh -c tofu version');
    for (const canary of [SECRET_KEY, ACCESS_KEY, PULL_PASSWORD]) expect(destroy.everything).not.toContain(canary);
  }, 60_000);
});
