// What the commands that work on one config repository checkout (validate, plan) share: their
// options and how their arguments are read.
import { DEFAULT_MAX_FILE_BYTES } from '../specs/limits.js';
import { parseCommandArgs, UsageError, type CommandSpec, type OptionSpecs } from './io.js';


/** Options every command that reads a config repository takes. */
export const REPOSITORY_OPTIONS = {
  root: { type: 'string', value: 'PATH', help: 'where projects/ lives in DIR', defaultText: 'root in .github/envsync.yml, else DIR' },
  'max-file-size': { type: 'string', default: String(DEFAULT_MAX_FILE_BYTES), value: 'BYTES', help: 'larger files are a finding, not read' },
} as const satisfies OptionSpecs;

/** Parses a command that works on one config repository: its options, and at most one folder. */
export function parseFolderCommand<O extends OptionSpecs>(spec: CommandSpec<O>, args: readonly string[]) {
  const { values, positionals } = parseCommandArgs(spec, args);
  if (positionals.length > 1) throw new UsageError(`${spec.name} takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  return { values, folder: positionals[0] ?? '.' };
}

export function maxFileSizeOf(text: string): number {
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new UsageError(`--max-file-size must be a positive number of bytes, not "${text}"`);
  return bytes;
}
