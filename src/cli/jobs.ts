// `envsync jobs list|retry`: what the app's durable queue holds, and a second chance for a job that
// failed for good (after the cause is fixed: a missing permission, a GitHub outage).
import { parseArgs } from 'node:util';
import type { JobRecord, JobState } from '../system/jobs/queue.js';
import { commandOf, rejectUnknownOptions, UsageError, type CommandGroup, type CommandIO, type OptionSpecs } from './io.js';
import { openStoreAt, STORE_OPTION } from './system.js';

const STATES: readonly JobState[] = ['pending', 'running', 'failed'];

/** The options of both jobs commands: one parser, and each command's spec names those it takes. */
const JOBS_OPTIONS = {
  ...STORE_OPTION,
  state: { type: 'string', value: STATES.join('|'), help: 'only the jobs in this state', defaultText: 'every state' },
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

function line(job: JobRecord): string {
  const error = job.lastError ? `  ${job.lastError.split('\n')[0]}` : '';
  return `${job.id}\t${job.state}\t${job.task}\t${job.queue}\t${job.key ?? '-'}\tattempts ${job.attempts}/${job.maxAttempts}\t${job.state === 'pending' ? `runs at ${job.runAt}` : job.runAt}${error}`;
}

export async function runJobs(argv: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub) throw new UsageError('name a jobs command: list or retry (envsync jobs --help)');
  rejectUnknownOptions(commandOf(JOBS_GROUP, sub), rest);
  const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: JOBS_OPTIONS });
  if (values.state !== undefined && !STATES.includes(values.state as JobState)) throw new UsageError(`--state must be one of ${STATES.join(', ')}, not "${values.state}"`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  if (sub === 'retry' && positionals.length === 0 && !values.failed) throw new UsageError('name the jobs to retry (envsync jobs list shows their ids), or give --failed');

  const store = await openStoreAt(values.store, io);
  try {
    if (sub === 'list') {
      const jobs = await store.jobs.list(values.state ? { state: values.state as JobState } : {});
      if (values.format === 'json') io.stdout(`${JSON.stringify({ jobs }, null, 2)}\n`);
      else io.stdout(jobs.length === 0 ? 'no jobs\n' : `${jobs.map(line).join('\n')}\n`);
      return 0;
    }
    const ids = values.failed ? (await store.jobs.list({ state: 'failed' })).map((j) => j.id) : positionals;
    let missed = 0;
    for (const id of ids) {
      if (await store.jobs.retry(id)) io.stdout(`job ${id} queued to run now\n`);
      else {
        missed++;
        io.stderr(`envsync: job ${id} was not queued: it is running, or there is no such job (envsync jobs list)\n`);
      }
    }
    if (ids.length === 0) io.stdout('no job failed for good\n');
    return missed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
