// The usage of `envsync plan`. Apart from its code (plan.ts), which loads the engine and the store:
// asking for help loads none of it.
import type { CommandSpec } from './io.js';
import { REPOSITORY_OPTIONS } from './folder-command.js';

export const PLAN_COMMAND = {
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
