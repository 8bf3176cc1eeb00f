// The usage of `envsync validate`. Apart from its code (validate.ts), which loads the parser and the
// schemas: asking for help loads none of it.
import type { CommandSpec } from './io.js';
import { REPOSITORY_OPTIONS } from './folder-command.js';

export const VALIDATE_COMMAND = {
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
