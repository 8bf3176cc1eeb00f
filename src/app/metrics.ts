// Prometheus metrics at /metrics (prom-client): the job queue's depth and oldest job, job durations
// and failures by task, GitHub requests and the rate limit left, and runs by status. Gauges that
// describe the store are read from it when scraped, so every replica reports the shared state.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobEvent, JobQueue, QueueStats } from '../system/jobs/queue.js';
import { RUN_STATUSES, type Records } from '../system/records.js';


export class Metrics {
  readonly registry = new Registry();
  private readonly jobDuration: Histogram<'task' | 'outcome'>;
  private readonly jobFailures: Counter<'task' | 'final'>;
  private readonly githubRequests: Counter<'method' | 'status'>;
  private readonly rateLimit: Gauge;

  constructor(records: Records, jobs: JobQueue) {
    collectDefaultMetrics({ register: this.registry, prefix: 'envsync_' });
    this.jobDuration = new Histogram({ name: 'envsync_job_duration_seconds', help: 'Time a job took, by task and outcome', labelNames: ['task', 'outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [this.registry] });
    this.jobFailures = new Counter({ name: 'envsync_job_failures_total', help: 'Job attempts that failed, by task; final="true" when the job failed for good', labelNames: ['task', 'final'], registers: [this.registry] });
    this.githubRequests = new Counter({ name: 'envsync_github_requests_total', help: 'Requests made to GitHub, by method and status (0: no answer)', labelNames: ['method', 'status'], registers: [this.registry] });
    this.rateLimit = new Gauge({ name: 'envsync_github_rate_limit_remaining', help: 'Requests left in the installation token\'s rate limit, as GitHub last said', registers: [this.registry] });
    // Both queue gauges come from one read per scrape (prom-client collects them together).
    let reading: Promise<QueueStats> | undefined;
    const stats = () => (reading ??= jobs.stats().finally(() => (reading = undefined)));
    new Gauge({
      name: 'envsync_jobs',
      help: 'Jobs in the queue, by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await stats();
        for (const state of ['pending', 'running', 'failed'] as const) this.set({ state }, counts[state]);
      },
    });
    new Gauge({
      name: 'envsync_jobs_oldest_pending_seconds',
      help: 'How long the oldest job that is due has waited',
      registers: [this.registry],
      async collect() {
        this.set((await stats()).oldestPendingSeconds);
      },
    });
    new Gauge({
      name: 'envsync_runs',
      help: 'Runs of environments, by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await records.countRuns();
        for (const status of RUN_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    });
  }

  job(event: JobEvent): void {
    this.jobDuration.observe({ task: event.job.task, outcome: event.type }, event.seconds);
    if (event.type === 'failed') this.jobFailures.inc({ task: event.job.task, final: String(event.final) });
  }

  github(request: { route: string; status: number; rateLimitRemaining?: number }): void {
    this.githubRequests.inc({ method: request.route.split(' ')[0] ?? 'GET', status: String(request.status) });
    if (request.rateLimitRemaining !== undefined) this.rateLimit.set(request.rateLimitRemaining);
  }
}
