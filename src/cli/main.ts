// The `envsync` command: parses arguments and hands each subcommand what it needs.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runValidate } from './validate.js';
import { runPlan } from './plan.js';
import { runExport, runReconcile, runSystem } from './system.js';
import { runServe } from './serve.js';
import { runRun } from './run.js';
import { runInit } from './init.js';
import { runJobs } from './jobs.js';
import { packageVersion } from './version.js';
import { UsageError, type CommandIO } from './io.js';
import { DEFAULT_MAX_FILE_BYTES } from '../specs/parse.js';
import { GitError } from '../specs/read-git.js';

const HELP = `envsync: GitOps for environment managers

Usage:
  envsync validate [DIR] [--format text|json|github] [--root PATH] [--max-file-size BYTES] [--verbose]
      Check every spec under DIR/<root>/projects/ (root from --root, else .github/envsync.yml,
      else DIR itself), and .github/envsync.yml itself. Exit 0 when there is no error, 1 when there are
      errors, 2 on a usage or internal failure.
  envsync plan [DIR] [--base REF | --store URL] [--head REF] [--format markdown|json] [--root PATH]
      What merging head into base changes and which environments it runs, with each run's activity
      graph. HEAD defaults to the working tree, BASE to the commit HEAD; with --store, the base is
      the system's live state. Exit 1 when the plan has errors or the head does not validate.
  envsync reconcile [DIR] [--mode git-wins|system-wins] [--ref REF] [--store URL]
      Compare the system with Git and list the drift; git-wins applies Git to the system,
      system-wins writes the system into the checkout (the app opens a bot pull request instead).
  envsync system ...        Read and change the system (the store): list, get, put, delete, launch,
                            run, events, apply, token, serve. See envsync system --help.
  envsync export [DIR] [--secrets seal|keep] [--include KINDS] [--exclude KINDS] [--store URL]
      Write the system's specs into a checkout: files edited in place (comments and formatting
      kept), new specs at their layout path, deleted ones removed; secrets never in clear.
  envsync export --github OWNER/REPO [--branch BRANCH] [--store URL]
      The same change on GitHub (GITHUB_TOKEN): a bot pull request, or direct commits, as the
      repository's .github/envsync.yml says.
  envsync run PROJECT/ENVIRONMENT [DIR] [--action deploy|destroy] [--dry-run] [--ref REF]
              [--approved GATE,...] [--runtime docker|process] [--concurrency N] [--results FILE]
      Run an environment's activity graph, as a runner does: logs grouped per activity, secrets
      masked, results (statuses, timings, outputs) written to envsync-results.json.
  envsync init [DIR] [--force]
      Make a config repository ready for the app: the runner workflow the app dispatches after a
      merge (.github/workflows/envsync-run.yml) and a starter .github/envsync.yml. Existing files
      are kept unless --force.
  envsync serve
      The GitHub App server (Probot): APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, WEBHOOK_PROXY_URL,
      GHE_HOST and PORT as Probot reads them; DATABASE_URL for PostgreSQL (else ./data); the
      system API under /api/v1 with ENVSYNC_API_TOKENS_FILE; ENVSYNC_DRIFT_MINUTES for drift checks;
      /healthz, /readyz and /metrics for operators. See docs/guide.md for every setting.
  envsync jobs list [--state pending|running|failed] | envsync jobs retry ID... | --failed
      The app's durable job queue: what is waiting, running or failed for good, and a retry.
  envsync --version
  envsync --help
`;

// A reader that stops early (`envsync system list | head`) closes our stdout: that ends the command
// quietly, as it does for other command-line tools, rather than with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const processIO: CommandIO = {
  cwd: process.cwd(),
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`envsync: ${(e as Error).message}\nRun \`envsync --help\` for usage.\n`);
      return 2;
    }
    // A ref that names no commit, or git missing: the message says which and what to do.
    if (e instanceof GitError) {
      io.stderr(`envsync: ${e.message}\n`);
      return 2;
    }
    io.stderr(`envsync: internal error: ${(e as Error).stack ?? String(e)}\nPlease report this with the command you ran.\n`);
    return 2;
  }
}

/** Options every command that reads a config repository takes. */
const REPOSITORY_OPTIONS = {
  root: { type: 'string' },
  'max-file-size': { type: 'string', default: String(DEFAULT_MAX_FILE_BYTES) },
  help: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

/** Parses a command's arguments: its own options, the repository options, and at most one folder. */
function parseCommand<T extends NonNullable<ParseArgsConfig['options']>>(command: string, args: readonly string[], options: T) {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...REPOSITORY_OPTIONS, ...options } });
  if (positionals.length > 1) throw new UsageError(`${command} takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  return { values, folder: positionals[0] ?? '.' };
}

function help(io: CommandIO): number {
  io.stdout(HELP);
  return 0;
}

function maxFileSizeOf(text: string): number {
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new UsageError(`--max-file-size must be a positive number of bytes, not "${text}"`);
  return bytes;
}

async function dispatch(argv: readonly string[], io: CommandIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (command === 'validate') {
    const { values, folder } = parseCommand('validate', rest, {
      format: { type: 'string', default: 'text' },
      verbose: { type: 'boolean', default: false },
    });
    if (values.help) return help(io);
    return runValidate({ dir: folder, format: values.format, root: values.root, maxFileSize: maxFileSizeOf(values['max-file-size']), verbose: values.verbose }, io);
  }
  if (command === 'plan') {
    const { values, folder } = parseCommand('plan', rest, {
      base: { type: 'string' },
      head: { type: 'string' },
      store: { type: 'string' },
      format: { type: 'string', default: 'markdown' },
    });
    if (values.help) return help(io);
    return runPlan(
      {
        dir: folder,
        ...(values.base !== undefined ? { base: values.base } : {}),
        ...(values.head !== undefined ? { head: values.head } : {}),
        ...(values.store !== undefined ? { store: values.store } : {}),
        format: values.format,
        root: values.root,
        maxFileSize: maxFileSizeOf(values['max-file-size']),
      },
      io,
    );
  }
  if (command === 'system') return runSystem(rest, io);
  if (command === 'export') return runExport(rest, io);
  if (command === 'reconcile') return runReconcile(rest, io);
  if (command === 'serve') return runServe(rest, io);
  if (command === 'run') return runRun(rest, io);
  if (command === 'init') return runInit(rest, io);
  if (command === 'jobs') return runJobs(rest, io);
  throw new UsageError(`unknown command "${command}"`);
}
