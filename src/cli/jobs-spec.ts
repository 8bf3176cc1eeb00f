// The usage of `envsync jobs`: what its --help prints and what it parses. Apart from its code
// (jobs.ts), which loads the store: asking for help loads none of it.
import type { JobState } from '../system/jobs/queue.js';
import type { CommandGroup, OptionSpecs } from './io.js';
import { STORE_OPTION } from './system-spec.js';

export const JOB_STATES: readonly JobState[] = ['pending', 'running', 'failed'];

/** The options of both jobs commands: one parser, and each command's spec names those it takes. */
export const JOBS_OPTIONS = {
  ...STORE_OPTION,
  state: { type: 'string', value: JOB_STATES.join('|'), help: 'only the jobs in this state', defaultText: 'every state' },
  format: { type: 'string', default: 'text', value: 'text|json', help: 'how to print' },
  failed: { type: 'boolean', default: false, help: 'every job that failed for good' },
} as const satisfies OptionSpecs;

export const JOBS_GROUP: CommandGroup = {
  name: 'jobs',
  title: "envsync jobs: the app's job queue (webhooks accepted, and the work they start)",
  summary: "the app's durable job queue: what waits, runs or failed for good, and a retry",
  footer: 'Both take --store URL (default: $DATABASE_URL, else sqlite:./data/envsync.sqlite).',
  commands: [
    {
      name: 'jobs list',
      summary: 'every job, or those in one state, oldest first',
      about: "List the app's jobs, oldest first: id, state, task, queue, key, attempts, when it runs, and the last error.",
      options: { store: JOBS_OPTIONS.store, state: JOBS_OPTIONS.state, format: JOBS_OPTIONS.format },
    },
    {
      name: 'jobs retry',
      args: 'ID... | --failed',
      summary: 'queue jobs to run now, their attempts reset',
      about: 'Queue the jobs ID... (envsync jobs list shows their ids), or every job that failed for good, to run now,\ntheir attempts reset: after the cause is fixed (a missing permission, a GitHub outage).',
      options: { store: JOBS_OPTIONS.store, failed: JOBS_OPTIONS.failed },
    },
  ],
};
