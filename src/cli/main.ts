// The `envsync` command: finds the subcommand in one table, answers --help from that command's own
// spec (so that the usage lists what is parsed), and turns errors into messages and exit codes.
import { runValidate } from './validate.js';
import { runPlan } from './plan.js';
import { EXPORT_COMMAND, RECONCILE_COMMAND, runExport, runReconcile, runSystem, SYSTEM_GROUP } from './system.js';
import { runServe, SERVE_COMMAND } from './serve.js';
import { runRun, RUN_COMMAND } from './run.js';
import { INIT_COMMAND, runInit } from './init.js';
import { JOBS_GROUP, runJobs } from './jobs.js';
import { packageVersion } from './version.js';
import {
  groupHelp,
  parseCommandArgs,
  suggestion,
  SetupError,
  usage,
  UsageError,
  wantsHelp,
  type CommandGroup,
  type CommandIO,
  type CommandSpec,
  type OptionSpecs,
} from './io.js';
import { DEFAULT_MAX_FILE_BYTES } from '../specs/parse.js';
import { GitError } from '../specs/read-git.js';

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
    // A ref that names no commit, git missing, a store or proxy out of reach: the message says which
    // and what to do; a stack would only hide it.
    if (e instanceof GitError || e instanceof SetupError) {
      io.stderr(`envsync: ${e.message}\n`);
      return 2;
    }
    io.stderr(`envsync: internal error: ${(e as Error).stack ?? String(e)}\nPlease report this with the command you ran.\n`);
    return 2;
  }
}

/** Options every command that reads a config repository takes. */
const REPOSITORY_OPTIONS = {
  root: { type: 'string', value: 'PATH', help: 'where projects/ lives in DIR', defaultText: 'root in .github/envsync.yml, else DIR' },
  'max-file-size': { type: 'string', default: String(DEFAULT_MAX_FILE_BYTES), value: 'BYTES', help: 'larger files are a finding, not read' },
} as const satisfies OptionSpecs;

const VALIDATE_COMMAND = {
  name: 'validate',
  args: '[DIR]',
  summary: 'check every spec of a config repository',
  about: `Check every spec of the config repository checked out in DIR (default: the current folder), and its
.github/envsync.yml: one finding per problem, with file, line and column, a stable code and what to do.
Exit 0 when there is no error (warnings allowed), 1 when there are errors, 2 on a usage or internal
failure.`,
  options: {
    format: { type: 'string', default: 'text', value: 'text|json|github', help: 'how to print the findings (github: workflow commands, annotations in Actions)' },
    ...REPOSITORY_OPTIONS,
    verbose: { type: 'boolean', default: false, help: 'list, on stderr, the files under projects/ that are not specs' },
  },
} as const satisfies CommandSpec;

const PLAN_COMMAND = {
  name: 'plan',
  args: '[DIR]',
  summary: 'what merging a change would do, and which environments it runs',
  about: `What merging head into base changes in the config repository checked out in DIR (default: the current
folder): which specs change, field by field, which environments run and why, the approvals they need
and each run's activity graph. The head is the working tree unless --head; the base is the commit HEAD
unless --base, or the system's live state with --store. Exit 1 when the plan has errors or the head
does not validate (the plan is still printed).`,
  options: {
    base: { type: 'string', value: 'REF', help: 'the revision merged into', defaultText: 'HEAD' },
    head: { type: 'string', value: 'REF', help: 'the revision merged', defaultText: 'the working tree' },
    store: { type: 'string', value: 'URL', help: "plan against the system's live state in this store, instead of a base revision" },
    format: { type: 'string', default: 'markdown', value: 'markdown|json', help: 'how to print the plan' },
    ...REPOSITORY_OPTIONS,
  },
} as const satisfies CommandSpec;

/** Parses a command that works on one config repository: its options, and at most one folder. */
function parseFolderCommand<O extends OptionSpecs>(spec: CommandSpec<O>, args: readonly string[]) {
  const { values, positionals } = parseCommandArgs(spec, args);
  if (positionals.length > 1) throw new UsageError(`${spec.name} takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  return { values, folder: positionals[0] ?? '.' };
}

function maxFileSizeOf(text: string): number {
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new UsageError(`--max-file-size must be a positive number of bytes, not "${text}"`);
  return bytes;
}

function validate(args: readonly string[], io: CommandIO): number {
  const { values, folder } = parseFolderCommand(VALIDATE_COMMAND, args);
  return runValidate({ dir: folder, format: values.format, root: values.root, maxFileSize: maxFileSizeOf(values['max-file-size']), verbose: values.verbose }, io);
}

function plan(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, folder } = parseFolderCommand(PLAN_COMMAND, args);
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

type Run = (args: readonly string[], io: CommandIO) => Promise<number> | number;

/** Every command, in the order the usage lists them: a command with its spec, or a group of them. */
const COMMANDS: readonly ({ spec: CommandSpec; run: Run } | { group: CommandGroup; run: Run })[] = [
  { spec: VALIDATE_COMMAND, run: validate },
  { spec: PLAN_COMMAND, run: plan },
  { spec: RECONCILE_COMMAND, run: runReconcile },
  { spec: EXPORT_COMMAND, run: runExport },
  { spec: RUN_COMMAND, run: runRun },
  { spec: INIT_COMMAND, run: runInit },
  { spec: SERVE_COMMAND, run: runServe },
  { group: SYSTEM_GROUP, run: runSystem },
  { group: JOBS_GROUP, run: runJobs },
];

const nameOf = (c: (typeof COMMANDS)[number]) => ('spec' in c ? c.spec.name : c.group.name);

/** Every command as typed, groups and the commands in them included: `validate`, `system`, `system list`. */
export function commandNames(): string[] {
  return COMMANDS.flatMap((c) => ('spec' in c ? [c.spec.name] : [c.group.name, ...c.group.commands.map((s) => s.name)]));
}

/** What `envsync --help` prints: every command, one line each, and what the exit codes mean. */
function globalUsage(): string {
  const rows = COMMANDS.map((c): [string, string] => ('spec' in c ? [[c.spec.name, c.spec.args].filter(Boolean).join(' '), c.spec.summary] : [`${c.group.name} COMMAND`, c.group.summary]));
  rows.push(['--version', 'print the version'], ['--help', 'print this usage']);
  const width = Math.max(...rows.map(([left]) => left.length));
  return `envsync: GitOps for environment managers

Usage: envsync COMMAND [ARGS] [options]

${rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('')}
Run \`envsync COMMAND --help\` for a command's arguments and options (defaults included).
Exit codes: 0 when done, 1 when the command ran and found errors (findings, a failed run), 2 when it
could not run: a usage error, something it needs out of reach, or an internal failure.
`;
}

async function dispatch(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) return dispatch([...rest, '--help'], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(globalUsage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => nameOf(c) === name);
  if (!command) throw new UsageError(`unknown command "${name}"${suggestion(name, COMMANDS.map(nameOf))}`);
  // Help is answered before anything is parsed, opened or started.
  const help = 'group' in command ? groupHelp(command.group, rest) : wantsHelp(rest) ? usage(command.spec) : undefined;
  if (help !== undefined) {
    io.stdout(help);
    // `envsync system` alone is a command left unfinished, not a request for help.
    return rest.length === 0 ? 2 : 0;
  }
  return command.run(rest, io);
}
