// `envsync jobs list|retry`: what the app's durable queue holds, and a second chance for a job that
// failed for good (after the cause is fixed: a missing permission, a GitHub outage).
import { parseArgs } from 'node:util';
import type { JobRecord, JobState } from '../system/jobs/queue.js';
import { openStore } from '../system/store.js';
import { UsageError, type CommandIO } from './io.js';
import { STORE_OPTION, storeUrl } from './system.js';

export const JOBS_HELP = `envsync jobs: the app's job queue (webhooks accepted, and the work they start)

  envsync jobs list [--state pending|running|failed] [--format text|json]
      every job, or those in one state, oldest first
  envsync jobs retry ID... | --failed
      queue these jobs (or every job that failed for good) to run now, their attempts reset

Both take --store URL (default: $DATABASE_URL, else sqlite:./data/envsync.sqlite).
`;

const STATES: readonly JobState[] = ['pending', 'running', 'failed'];

function line(job: JobRecord): string {
  const error = job.lastError ? `  ${job.lastError.split('\n')[0]}` : '';
  return `${job.id}\t${job.state}\t${job.task}\t${job.queue}\t${job.key ?? '-'}\tattempts ${job.attempts}/${job.maxAttempts}\t${job.state === 'pending' ? `runs at ${job.runAt}` : job.runAt}${error}`;
}

export async function runJobs(argv: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(JOBS_HELP);
    return sub === undefined ? 2 : 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { ...STORE_OPTION, state: { type: 'string' }, format: { type: 'string', default: 'text' }, failed: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    io.stdout(JOBS_HELP);
    return 0;
  }
  if (sub !== 'list' && sub !== 'retry') throw new UsageError(`unknown jobs command "${sub}": use list or retry (envsync jobs --help)`);
  if (values.state !== undefined && !STATES.includes(values.state as JobState)) throw new UsageError(`--state must be one of ${STATES.join(', ')}, not "${values.state}"`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  if (sub === 'retry' && positionals.length === 0 && !values.failed) throw new UsageError('name the jobs to retry (envsync jobs list shows their ids), or give --failed');

  const store = await openStore({ url: storeUrl(values.store, io) });
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
