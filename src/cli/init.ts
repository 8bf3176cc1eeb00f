// `envsync init [DIR] [--force]`: makes a config repository ready for the app: the runner workflow
// and a starter .github/envsync.yml. Existing files are kept unless --force says otherwise.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_PATH, DEFAULT_RUNNER_WORKFLOW } from '../config/config.js';
import { appUrlOf, defaultPackage, PACKAGE_SPEC } from '../runner/contract.js';
import { runnerWorkflow, starterConfig } from '../runner/workflow.js';
import { isSafeAppUrl } from '../runner/unseal.js';
import { parseCommandArgs, UsageError, type CommandIO } from './io.js';
import { INIT_COMMAND } from './init-spec.js';
import { packageVersion } from '../version.js';

export function runInit(argv: readonly string[], io: CommandIO): number {
  const { values, positionals } = parseCommandArgs(INIT_COMMAND, argv);
  if (positionals.length > 1) throw new UsageError(`init takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  if (!existsSync(dir)) throw new UsageError(`${dir} does not exist`);
  const named = values.package;
  if (named !== undefined && !PACKAGE_SPEC.test(named)) throw new UsageError(`--package takes a package and an exact version, such as @acme/envsync@1.4.2, not "${named}": a runner installs exactly that`);
  const appUrl = values['app-url'];
  if (appUrl !== undefined && (!/^https?:\/\/[^\s'"]+$/.test(appUrl) || !isSafeAppUrl(appUrl))) throw new UsageError(`--app-url takes the app's public https:// URL, such as https://envsync.example.com, not "${appUrl}"`);
  const files = [
    { path: `.github/workflows/${DEFAULT_RUNNER_WORKFLOW}`, content: runnerWorkflow({ package: named ?? defaultPackage(packageVersion()), ...(appUrl ? { appUrl: appUrlOf(appUrl) } : {}) }) },
    { path: CONFIG_PATH, content: starterConfig(named) },
  ];
  let kept = 0;
  for (const file of files) {
    const target = join(dir, file.path);
    if (existsSync(target) && !values.force) {
      io.stdout(`kept ${file.path}: it exists (--force replaces it)\n`);
      kept++;
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    io.stdout(`wrote ${file.path}\n`);
  }
  if (kept < files.length) io.stdout('Commit these files to the sync branch: the app dispatches the workflow there after each merge.\n');
  return 0;
}
