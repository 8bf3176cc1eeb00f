// The `envsync validate` contract: exit codes, the JSON shape, workflow commands, usage errors.
// Runs the CLI in this process (test/helpers/cli.ts); one case runs the real binary (built by `npm test`
// before vitest) in a child process, for the exit code and output of the process itself.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repoRoot, 'bin', 'envsync.js');

const envsync = (args: string[], cwd = repoRoot) => runCli(cwd, args);

function binary(args: string[], cwd = repoRoot) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(relative: string, text: string) {
  const path = join(dir, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const environment = (template: string) =>
  [
    'apiVersion: eaas.envmgmt.io/v1',
    'kind: Environment',
    'metadata:',
    '  name: dev',
    '  project: shop',
    'spec:',
    '  template:',
    `    name: ${template}`,
    '    version: v1',
    '',
  ].join('\n');

const template = ['apiVersion: eaas.envmgmt.io/v1', 'kind: EnvironmentTemplate', 'metadata:', '  name: web', '  project: shop', 'spec:', '  version: v1', ''].join('\n');

describe('envsync validate', () => {
  it('accepts the example repository with exit code 0', async () => {
    const result = await envsync(['validate', 'examples/config-repo']);
    expect(result).toEqual({ code: 0, stdout: '15 files, 15 specs: 0 errors, 0 warnings\n', stderr: '' });
  });

  // The real binary: its process exits 1 (bin/envsync.js sets process.exitCode from main) and prints to its own stdout.
  it('prints findings as file:line:column with exit code 1 when there are errors', () => {
    write('projects/shop/environmenttemplates/web.yaml', template);
    write('projects/shop/environments/dev.yaml', environment('webb'));
    const result = binary(['validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'projects/shop/environments/dev.yaml:8:11: error [ref-not-found] EnvironmentTemplate "webb" does not exist in project shop nor is it shared with it: did you mean "web"?\n' +
        '2 files, 2 specs: 1 error, 0 warnings\n',
    );
  });

  it('writes the JSON contract: findings with file relative to DIR and 1-based positions, and a summary', async () => {
    write('projects/shop/environmenttemplates/web.yaml', template);
    write('projects/shop/environments/dev.yaml', environment('webb'));
    const result = await envsync(['validate', dir, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      findings: [
        {
          file: 'projects/shop/environments/dev.yaml',
          line: 8,
          column: 11,
          severity: 'error',
          code: 'ref-not-found',
          message: 'EnvironmentTemplate "webb" does not exist in project shop nor is it shared with it: did you mean "web"?',
        },
      ],
      summary: { files: 2, specs: 2, errors: 1, warnings: 0 },
    });
  });

  it('exits 0 when there are only warnings', async () => {
    write('projects/shop/enviroments/dev.yaml', environment('web'));
    const result = await envsync(['validate', dir, '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).summary).toEqual({ files: 0, specs: 0, errors: 0, warnings: 1 });
  });

  it('prints GitHub workflow commands with paths relative to the working directory', async () => {
    write('projects/shop/environmenttemplates/web.yaml', template);
    write('projects/shop/environments/dev.yaml', environment('webb'));
    const parent = dirname(dir);
    const folder = dir.slice(parent.length + 1);
    const result = await envsync(['validate', folder, '--format', 'github'], parent);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      `::error file=${folder}/projects/shop/environments/dev.yaml,line=8,col=11,title=envsync ref-not-found::` +
        'EnvironmentTemplate "webb" does not exist in project shop nor is it shared with it: did you mean "web"?\n' +
        '2 files, 2 specs: 1 error, 0 warnings\n',
    );
  });

  it('escapes newlines and percent signs in workflow command messages', async () => {
    write('projects/shop/drivers/d.yaml', 'apiVersion: eaas.envmgmt.io/v1\nkind: Driver\nmetadata:\n  name: d\n  project: shop\nspec:\n  config:\n    type: http\n    http:\n      endpoint: x\n    "50%\\nkey": 1\n');
    const result = await envsync(['validate', '.', '--format', 'github'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe(
      '::error file=projects/shop/drivers/d.yaml,line=11,col=5,title=envsync unknown-field::unknown field "50%25%0Akey" in spec.config: remove it; known fields here: type, container, http, function, maxRetryCount, timeoutSeconds, successCondition, pollingConfig',
    );
  });

  it('lists files outside the layout on stderr with --verbose, including YAML files outside projects/', async () => {
    write('projects/shop/README.md', '# notes\n');
    write('projects/shop/environmenttemplates/web.yaml', template);
    write('environments/dev.yaml', environment('web'));
    write('.github/workflows/ci.yml', 'on: push\n');
    write('node_modules/x/y.yaml', 'a: 1\n');
    write('docs/notes.md', '# notes\n');
    const result = await envsync(['validate', dir, '--verbose']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'ignored projects/shop/README.md: not in the projects/ layout\n' + 'ignored environments/dev.yaml: not in the projects/ layout\n',
    );
    expect((await envsync(['validate', dir])).stderr).toBe('');
  });

  it('reads the layout under --root', async () => {
    write('config/projects/shop/environmenttemplates/web.yaml', template);
    write('config/projects/shop/environments/dev.yaml', environment('webb'));
    const result = await envsync(['validate', dir, '--root', 'config', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings[0]).toMatchObject({ file: 'config/projects/shop/environments/dev.yaml', line: 8, column: 11 });
  });

  it('reports a file over --max-file-size as a finding', async () => {
    write('projects/shop/environmenttemplates/web.yaml', template);
    const result = await envsync(['validate', dir, '--max-file-size', '50', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings).toEqual([
      {
        file: 'projects/shop/environmenttemplates/web.yaml',
        line: 1,
        column: 1,
        severity: 'error',
        code: 'file-too-large',
        message: `file is ${template.length} bytes, over the limit of 50: split it into one spec per file, or raise --max-file-size`,
      },
    ]);
  });

  it.each([
    [['validate', '.', '--format', 'xml'], '--format must be one of text, json, github, not "xml"'],
    [['validate', 'does-not-exist'], 'does-not-exist is not a folder'],
    [['validate', '.', '--max-file-size', 'big'], '--max-file-size must be a positive number of bytes, not "big"'],
    [['validate', '.', '--colour'], "Unknown option '--colour'"],
    [['validate', 'a', 'b'], 'validate takes one folder, got 2: a b'],
    [['deploy'], 'unknown command "deploy"'],
  ])('exits 2 with a message on a usage error: %j', async (args, message) => {
    const result = await envsync(args, dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Run `envsync --help` for usage.');
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await envsync(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('reports problems in .github/envsync.yml with the specs, and reads the layout root from it', async () => {
    write('.github/envsync.yml', 'root: config\nsync:\n  delivry: commit\n');
    write('config/projects/shop/environmenttemplates/web.yaml', template);
    const result = await envsync(['validate', dir, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      findings: [{ file: '.github/envsync.yml', line: 3, column: 3, severity: 'error', code: 'unknown-field', message: 'unknown field "delivry" in sync: did you mean "delivery"?' }],
      summary: { files: 1, specs: 1, errors: 1, warnings: 0 },
    });
  });
});
