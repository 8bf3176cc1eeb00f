// `envsync jobs list|retry`: what the app's durable queue holds, and a second chance for a job that
// failed for good (after the cause is fixed: a missing permission, a GitHub outage).
import { parseArgs } from 'node:util';
import type { JobRecord, JobState } from '../system/jobs/queue.js';
import { commandOf, rejectUnknownOptions, UsageError, type CommandIO } from './io.js';
import { JOB_STATES, JOBS_GROUP, JOBS_OPTIONS } from './jobs-spec.js';
import { openSystemAt } from './system.js';

function line(job: JobRecord): string {
  const error = job.lastError ? `  ${job.lastError.split('\n')[0]}` : '';
  return `${job.id}\t${job.state}\t${job.task}\t${job.queue}\t${job.key ?? '-'}\tattempts ${job.attempts}/${job.maxAttempts}\t${job.state === 'pending' ? `runs at ${job.runAt}` : job.runAt}${error}`;
}

export async function runJobs(argv: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub) throw new UsageError('name a jobs command: list or retry (envsync jobs --help)');
  rejectUnknownOptions(commandOf(JOBS_GROUP, sub), rest);
  const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: JOBS_OPTIONS });
  if (values.state !== undefined && !JOB_STATES.includes(values.state as JobState)) throw new UsageError(`--state must be one of ${JOB_STATES.join(', ')}, not "${values.state}"`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  if (sub === 'retry' && positionals.length === 0 && !values.failed) throw new UsageError('name the jobs to retry (envsync jobs list shows their ids), or give --failed');

  const service = await openSystemAt(values.store, io);
  const { jobs: queue } = service.records;
  try {
    if (sub === 'list') {
      const jobs = await queue.list(values.state ? { state: values.state as JobState } : {});
      if (values.format === 'json') io.stdout(`${JSON.stringify({ jobs }, null, 2)}\n`);
      else io.stdout(jobs.length === 0 ? 'no jobs\n' : `${jobs.map(line).join('\n')}\n`);
      return 0;
    }
    const ids = values.failed ? (await queue.list({ state: 'failed' })).map((j) => j.id) : positionals;
    let missed = 0;
    for (const id of ids) {
      if (await queue.retry(id)) io.stdout(`job ${id} queued to run now\n`);
      else {
        missed++;
        io.stderr(`envsync: job ${id} was not queued: it is running, or there is no such job (envsync jobs list)\n`);
      }
    }
    if (ids.length === 0) io.stdout('no job failed for good\n');
    return missed > 0 ? 1 : 0;
  } finally {
    await service.close();
  }
}
