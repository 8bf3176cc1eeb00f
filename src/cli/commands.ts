// Every command, in the order the usage lists them: its usage, from a module that imports nothing
// heavy, and its code, imported only when it runs. `envsync --version`, `--help` and a mistyped
// command then start in a fraction of the time that loading every command's dependencies (Probot,
// the store's drivers, the job queue, the parser and schemas) takes.
import type { CommandGroup, CommandIO, CommandSpec } from './io.js';
import { INIT_COMMAND } from './init-spec.js';
import { JOBS_GROUP } from './jobs-spec.js';
import { PLAN_COMMAND } from './plan-spec.js';
import { RUN_COMMAND } from './run-spec.js';
import { SERVE_COMMAND } from './serve-spec.js';
import { EXPORT_COMMAND, RECONCILE_COMMAND, SYSTEM_GROUP } from './system-spec.js';
import { VALIDATE_COMMAND } from './validate-spec.js';

export type Run = (argv: readonly string[], io: CommandIO) => Promise<number> | number;

/** Imports a command's code. */
type Load = () => Promise<Run>;

export type Command = { spec: CommandSpec; load: Load } | { group: CommandGroup; load: Load };

export const COMMANDS: readonly Command[] = [
  { spec: VALIDATE_COMMAND, load: async () => (await import('./validate.js')).validateCommand },
  { spec: PLAN_COMMAND, load: async () => (await import('./plan.js')).planCommand },
  { spec: RECONCILE_COMMAND, load: async () => (await import('./system.js')).runReconcile },
  { spec: EXPORT_COMMAND, load: async () => (await import('./system.js')).runExport },
  { spec: RUN_COMMAND, load: async () => (await import('./run.js')).runRun },
  { spec: INIT_COMMAND, load: async () => (await import('./init.js')).runInit },
  { spec: SERVE_COMMAND, load: async () => (await import('./serve.js')).runServe },
  { group: SYSTEM_GROUP, load: async () => (await import('./system.js')).runSystem },
  { group: JOBS_GROUP, load: async () => (await import('./jobs.js')).runJobs },
];

export const nameOf = (c: Command): string => ('spec' in c ? c.spec.name : c.group.name);
