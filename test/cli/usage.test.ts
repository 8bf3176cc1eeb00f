// A newcomer's first commands: every command and subcommand answers --help and -h with its own usage
// (what it does, its arguments, its options with their defaults) and exit 0, before it opens,
// starts or writes anything; a mistyped command or option is answered with the closest one; usage
// errors exit 2. Runs the command in-process: no build needed, and one import for every command.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commandNames } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-usage-'));
  // A command that wrongly went on past --help would reach for this store, not a real one.
  vi.stubEnv('DATABASE_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const envsync = (...argv: string[]) => runCli(dir, argv);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('envsync COMMAND --help', () => {
  it('knows every command of the README, each subcommand of system and jobs included', () => {
    expect(commandNames()).toEqual([
      'validate',
      'plan',
      'reconcile',
      'export',
      'run',
      'init',
      'serve',
      'system',
      'system list',
      'system get',
      'system put',
      'system delete',
      'system launch',
      'system run',
      'system approve',
      'system runs',
      'system events',
      'system apply',
      'system follow',
      'system unfollow',
      'system repositories',
      'system token',
      'system serve',
      'jobs',
      'jobs list',
      'jobs retry',
    ]);
  });

  const asked = commandNames().flatMap((name) => ['--help', '-h'].map((flag) => [name, flag] as const));
  it.each(asked)('`envsync %s %s` prints its own usage and exits 0, having opened, started and written nothing', async (name, flag) => {
    const result = await envsync(...name.split(' '), flag);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: envsync ${escape(name)}( |$)`, 'm'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('asks for help wherever --help stands among the arguments, even after ones the command would refuse', async () => {
    const result = await envsync('reconcile', '.', '--mode', 'nobody-wins', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: envsync reconcile \[DIR\] \[options\]\n/);
  });

  it('lists every option of a command with its value and default', async () => {
    const { stdout } = await envsync('reconcile', '--help');
    expect(stdout).toBe(
      'Usage: envsync reconcile [DIR] [options]\n' +
        '\n' +
        'Compare the system with the config repository checked out in DIR (default: the current folder) and\n' +
        'list the specs that differ. Nothing changes unless --mode says which side wins: git-wins applies Git\n' +
        "to the system (recorded as a manual sync; a checkout that deletes all of a project's specs is refused\n" +
        'unless --allow-deletion, as a merge is), system-wins writes the system into the checkout, for you\n' +
        "to commit. (The app's scheduled drift check settles drift as drift.mode in .github/envsync.yml says.)\n" +
        '\n' +
        'Options:\n' +
        "  --store URL                  the system's store: sqlite:PATH or postgres://USER@HOST/DB (default: $DATABASE_URL, else sqlite:./data/envsync.sqlite)\n" +
        '  --mode git-wins|system-wins  settle the drift: which side wins (default: none, only list)\n' +
        '  --ref REF                    compare (and with git-wins, apply) this revision (default: the working tree)\n' +
        "  --allow-deletion             with git-wins, apply a checkout that deletes all of a project's specs\n" +
        '  -h, --help                   print this usage\n',
    );
    expect((await envsync('run', '--help')).stdout).toContain('  --concurrency N           at most this many activities at once (default: 4)\n');
  });

  it('lists the commands of a group, and `envsync help COMMAND` is `envsync COMMAND --help`', async () => {
    const group = await envsync('jobs', '--help');
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('Usage: envsync jobs COMMAND [options]\n\nCommands:\n  list   every job, or those in one state, oldest first\n  retry  queue jobs to run now, their attempts reset\n');
    expect(await envsync('help', 'system', 'follow')).toEqual(await envsync('system', 'follow', '--help'));
  });

  it('lists every command in the global usage, with what the exit codes mean', async () => {
    const { code, stdout } = await envsync('--help');
    expect(code).toBe(0);
    for (const name of commandNames().filter((n) => !n.includes(' '))) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(stdout).toContain('Exit codes: 0 when done, 1 when the command ran and found errors (findings, a failed run), 2 when it\ncould not run: a usage error, something it needs out of reach, or an internal failure.\n');
  });

  it('prints the usage of a group called without a command, with exit code 2: the command is unfinished', async () => {
    const result = await envsync('system');
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^envsync system: read and change the system/);
  });
});

describe('a mistyped command or option', () => {
  it.each([
    [['valdate'], 'unknown command "valdate": did you mean `validate`?'],
    [['reconcle', '.'], 'unknown command "reconcle": did you mean `reconcile`?'],
    [['system', 'folow', 'acme/config'], 'unknown system command "folow": did you mean `follow`?'],
    [['jobs', 'lst'], 'unknown jobs command "lst": did you mean `list`?'],
    [['reconcile', '--mod', 'git-wins'], "Unknown option '--mod': did you mean `--mode`?"],
    [['system', 'list', '--knd', 'Environment'], "Unknown option '--knd': did you mean `--kind`?"],
  ])('`envsync %j` suggests the closest name, with exit code 2', async (argv, message) => {
    expect(await envsync(...argv)).toEqual({ code: 2, stdout: '', stderr: `envsync: ${message}\nRun \`envsync --help\` for usage.\n` });
  });

  it.each([
    [['deploy'], 'unknown command "deploy"'],
    [['system', 'purge'], 'unknown system command "purge": use list, get, put, delete, launch, run, approve, runs, events, apply, follow, unfollow, repositories, token or serve (envsync system --help)'],
    [['serve', '--port', '3000'], "Unknown option '--port': envsync serve takes no options"],
    [['system', 'follow', 'acme/config', '--kind', 'Environment'], "Unknown option '--kind': envsync system follow takes --store"],
  ])('`envsync %j` says what there is when nothing is close, with exit code 2', async (argv, message) => {
    expect(await envsync(...argv)).toEqual({ code: 2, stdout: '', stderr: `envsync: ${message}\nRun \`envsync --help\` for usage.\n` });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exits 2 when a command is given an argument it does not take, and starts nothing', async () => {
    expect(await envsync('serve', 'now')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'envsync: serve takes no arguments, got now: its settings come from the environment (envsync serve --help)\nRun `envsync --help` for usage.\n',
    });
  });
});
