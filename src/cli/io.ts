// What a command may touch, passed in so that tests can run commands in-process; and how a command
// declares its options and usage side by side, so that its --help says what it parses.
import { parseArgs } from 'node:util';
import { closest } from '../specs/suggest.js';

export interface CommandIO {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** A mistake in how the command was called: exit code 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

/**
 * A problem of the setup, neither of how the command was called nor of envsync: the store or the
 * webhook proxy out of reach, a port taken. Exit code 2 with what is wrong and what to check, no stack.
 */
export class SetupError extends Error {}

/** One option of a command: what the parser needs, and what the usage says about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  default?: string | boolean;
  /** What the value looks like, as the usage shows it: `--format text|json`. */
  value?: string;
  /** What the option does. */
  help: string;
  /** A default the parser cannot hold (read at run time from the environment), as the usage says it. */
  defaultText?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/**
 * A command's usage next to its options: its --help is rendered from the very options it parses, so
 * the two cannot drift apart.
 */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** As the user types it: `reconcile`, `system follow`. */
  name: string;
  /** What follows the name: `PROJECT/ENVIRONMENT [DIR]`. */
  args?: string;
  /** One line, for the list of commands. */
  summary: string;
  /** What it does, and what its arguments are. */
  about: string;
  options: O;
}

/** Commands under one name (`envsync system list`), each with its own usage. */
export interface CommandGroup {
  name: string;
  /** The first line of the group's usage. */
  title: string;
  /** One line, for the list of commands. */
  summary: string;
  commands: readonly CommandSpec[];
  /** Said after the list of commands. */
  footer?: string;
}

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** `: did you mean \`x\`?`, or nothing when no candidate is close enough to be a plausible typo. */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `: did you mean \`${match}\`?`;
}

function optionLabel(name: string, option: OptionSpec): string {
  return option.type === 'boolean' ? `--${name}` : `--${name} ${option.value ?? 'VALUE'}`;
}

function optionText(option: OptionSpec): string {
  const fallback = option.defaultText ?? (typeof option.default === 'string' ? option.default : undefined);
  return `${option.help}${option.multiple ? ' (may be repeated)' : ''}${fallback === undefined ? '' : ` (default: ${fallback})`}`;
}

/** Rows of two columns, the second one aligned. */
function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('');
}

/** The usage line of a command: `envsync run PROJECT/ENVIRONMENT [DIR] [options]`. */
export function usageLine(spec: CommandSpec): string {
  return `envsync ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]`;
}

/** What `envsync COMMAND --help` prints: the usage line, what it does, every option with its default. */
export function usage(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([name, option]) => [optionLabel(name, option), optionText(option)]);
  rows.push(['-h, --help', 'print this usage']);
  return `Usage: ${usageLine(spec)}\n\n${spec.about.trimEnd()}\n\nOptions:\n${table(rows)}`;
}

/** What `envsync GROUP --help` prints: its commands, one line each. */
export function groupUsage(group: CommandGroup): string {
  const rows = group.commands.map((c): [string, string] => [c.name.slice(group.name.length + 1), c.summary]);
  const footer = group.footer ? `\n${group.footer.trimEnd()}\n` : '';
  return `${group.title}\n\nUsage: envsync ${group.name} COMMAND [options]\n\nCommands:\n${table(rows)}${footer}\nRun \`envsync ${group.name} COMMAND --help\` for a command's arguments and options.\n`;
}

/**
 * The usage a group's arguments ask for, if they ask for one: `system`, `system --help`,
 * `system help` give the group's, `system follow --help` the command's. Undefined otherwise.
 */
export function groupHelp(group: CommandGroup, argv: readonly string[]): string | undefined {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') return groupUsage(group);
  const command = group.commands.find((c) => c.name === `${group.name} ${sub}`);
  return command && wantsHelp(rest) ? usage(command) : undefined;
}

/** The command of a group that `sub` names; a usage error, with the closest name, when none does. */
export function commandOf(group: CommandGroup, sub: string): CommandSpec {
  const command = group.commands.find((c) => c.name === `${group.name} ${sub}`);
  if (command) return command;
  const names = group.commands.map((c) => c.name.slice(group.name.length + 1));
  const all = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  throw new UsageError(`unknown ${group.name} command "${sub}"${suggestion(sub, names) || `: use ${all} (envsync ${group.name} --help)`}`);
}

/**
 * An option the command does not take, named with the closest one it does. Only long options are
 * checked here: the parser reports the rest, and a value (`--var=--x`) is not mistaken for an option.
 */
export function rejectUnknownOptions(spec: CommandSpec, args: readonly string[]): void {
  const end = args.indexOf('--');
  for (const arg of end === -1 ? args : args.slice(0, end)) {
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0]!;
    if (name in spec.options) continue;
    const names = Object.keys(spec.options);
    const match = closest(name, names);
    if (match !== undefined) throw new UsageError(`Unknown option '--${name}': did you mean \`--${match}\`?`);
    throw new UsageError(`Unknown option '--${name}': envsync ${spec.name} takes ${names.length === 0 ? 'no options' : names.map((n) => `--${n}`).join(', ')}`);
  }
}

/** Parses a command's arguments against its own options: anything else is a usage error. */
export function parseCommandArgs<O extends OptionSpecs>(spec: CommandSpec<O>, args: readonly string[]) {
  rejectUnknownOptions(spec, args);
  return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: spec.options });
}

/** A URL fit to be shown: without its password, nor any query parameter that may hold a secret. */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL (a file path): nothing in it is a credential's place.
    return text;
  }
  if (url.password) url.password = '';
  for (const key of [...url.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) url.searchParams.delete(key);
  return url.toString();
}

/** Text with the password of every URL in it removed: error messages quote URLs whole. */
export function withoutPasswords(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*):[^\s/@]*@/gi, '$1@');
}

/** Why a connection failed, in the terms a user can act on; undefined when the error is not about reaching a server. */
export type ConnectionFailure = { reason: string; kind: 'refused' | 'unknown-host' | 'no-database' | 'denied' };

const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
const UNKNOWN_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL's SQLSTATE codes: invalid_catalog_name, invalid_password, invalid_authorization_specification.
const POSTGRES_KINDS: Record<string, ConnectionFailure['kind']> = { '3D000': 'no-database', '28P01': 'denied', '28000': 'denied' };
// pg says so in words only, without a code, when it gives up waiting for a connection.
const TIMED_OUT = /timeout exceeded when trying to connect|connection timeout/i;

/** The failure to connect that `e` is, or was caused by (errors wrap their cause; a refused dual-stack connect is an AggregateError). */
export function connectionFailure(e: unknown): ConnectionFailure | undefined {
  for (let error = e, depth = 0; error instanceof Error && depth < 10; error = error.cause, depth++) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && REFUSED.has(code)) return { reason: error.message || code, kind: 'refused' };
    if (typeof code === 'string' && UNKNOWN_HOST.has(code)) return { reason: error.message || code, kind: 'unknown-host' };
    if (typeof code === 'string' && POSTGRES_KINDS[code]) return { reason: error.message, kind: POSTGRES_KINDS[code] };
    if (TIMED_OUT.test(error.message)) return { reason: error.message, kind: 'refused' };
  }
  return undefined;
}

const STORE_HINTS: Record<ConnectionFailure['kind'], string> = {
  refused: 'Is the PostgreSQL server running, at that host and port?',
  'unknown-host': 'Is the host name right?',
  'no-database': 'Create the database, or name one that exists.',
  denied: 'Are the user and password right?',
};

/**
 * The store at `url` (named by `setting`: DATABASE_URL or --store) could not be reached: what, why,
 * and what to check. Undefined when `e` is not a failure to connect.
 */
export function storeUnreachable(e: unknown, url: string, setting: string): SetupError | undefined {
  const failure = connectionFailure(e);
  if (!failure) return undefined;
  return new SetupError(`could not reach the store at ${redactUrl(url)}: ${withoutPasswords(failure.reason)}\n${STORE_HINTS[failure.kind]} Check ${setting}.`);
}
