// The `envsync` command: finds the subcommand in one table, answers --help from that command's own
// spec (so that the usage lists what is parsed), and turns errors into messages and exit codes.
// It imports only the commands' usage: a command's code is imported when it runs (commands.ts).
import { COMMANDS, nameOf } from './commands.js';
import { packageVersion } from '../version.js';
import { groupHelp, suggestion, SetupError, usage, UsageError, wantsHelp, type CommandIO } from './io.js';

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
    if (e instanceof SetupError || (await isGitError(e))) {
      io.stderr(`envsync: ${(e as Error).message}\n`);
      return 2;
    }
    io.stderr(`envsync: internal error: ${(e as Error).stack ?? String(e)}\nPlease report this with the command you ran.\n`);
    return 2;
  }
}

/**
 * Whether the error is git's (a ref that names no commit, git missing): the module that defines it is
 * imported only when there is an error to tell, so that a command that reads no git loads none of it.
 */
async function isGitError(e: unknown): Promise<boolean> {
  const { GitError } = await import('../specs/read-git.js');
  return e instanceof GitError;
}

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
  const run = await command.load();
  return run(rest, io);
}
