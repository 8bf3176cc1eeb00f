// The app on large repositories: 50 pull requests, each pushed 4 times (10 environments changed at
// each push), against a real `envsync serve` and the fake GitHub on a real git repository of 2,000,
// 10,000 and 30,000 specs. Measured: checks a second, the time from a webhook to its check, the
// server's CPU time per check, its peak memory, and GitHub requests per event.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../demo/sandbox.js';
import { World } from '../demo/world.js';
import { generateRepository, writeRepository } from './generate-repo.js';

const PRS = 50;
const PUSHES = 4;
const FILES_PER_PUSH = 10;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** The process's CPU seconds (user and system) so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The process's peak resident memory, in MB. */
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/**
 * A commit on top of `parent` replacing `from` with `to` in each of `paths`, made with git's
 * plumbing in the fake's repository (a checkout of 30,000 files per commit would take minutes).
 */
export function commitOnTop(world: World, scratch: string, parent: string, paths: readonly string[], texts: ReadonlyMap<string, string>, from: string, to: string): string {
  const index = join(scratch, 'index');
  const env = { GIT_INDEX_FILE: index, GIT_AUTHOR_NAME: 'Alice', GIT_AUTHOR_EMAIL: 'alice@example.com', GIT_COMMITTER_NAME: 'Alice', GIT_COMMITTER_EMAIL: 'alice@example.com' };
  world.github.git(['read-tree', parent], undefined, env);
  const files = paths.map((path, i) => {
    const file = join(scratch, `file-${i}`);
    writeFileSync(file, texts.get(path)!.replace(from, to));
    return file;
  });
  const blobs = world.github.git(['hash-object', '-w', ...files]).split('\n');
  world.github.git(['update-index', '--index-info'], paths.map((path, i) => `100644 ${blobs[i]}\t${path}`).join('\n') + '\n', env);
  const tree = world.github.git(['write-tree'], undefined, env);
  return world.github.git(['commit-tree', tree, '-p', parent, '-m', `push ${to}`], undefined, env);
}

export interface ScaleResult {
  specs: number;
  checksPerSecond: number;
  p50: number;
  p99: number;
  cpuPerCheck: number;
  firstCheck: number;
  peakRssMb: number;
  requestsPerEvent: number;
  crashed: string | undefined;
}

export async function scaleRun(workDir: string, specs: number, env: Record<string, string> = {}): Promise<ScaleResult> {
  const world = new World();
  // The fake's copy detection compares every changed file with all 30,000: its time, not envsync's.
  world.github.detectCopies = false;
  const scratch = mkdtempSync(join(tmpdir(), 'envsync-scale-'));
  try {
    const texts = generateRepository(specs);
    const repository = join(workDir, `scale-${specs}`);
    rmSync(repository, { recursive: true, force: true });
    writeRepository(repository, texts);
    await world.create(repository);
    // The system holds main, as after the repository's first merge.
    world.applyBase();
    const environments = [...texts.keys()].filter((p) => p.includes('/environments/'));
    const app = await world.process('scale', { LOG_LEVEL: 'info', ENVSYNC_GITHUB_THROTTLE: 'off', ...env });
    const webhooks = world.webhooks(app);
    const pid = app.pid!;
    const heads: string[][] = [];
    for (let i = 0; i < PRS; i++) {
      const paths = environments.slice(i * FILES_PER_PUSH, (i + 1) * FILES_PER_PUSH);
      let parent = world.base;
      heads.push([]);
      for (let push = 0; push < PUSHES; push++) heads[i]!.push((parent = commitOnTop(world, scratch, parent, paths, texts, '[team-', `[push-${push}-`)));
      world.github.openPullRequest(`pr-${i}`, 'main', 'alice');
    }
    // A check shows as its envsync/validate check run on the head.
    const checkedAt = new Map<string, number>();
    const watch = setInterval(() => {
      for (const c of world.github.checks) if (c.name === 'envsync/validate' && !checkedAt.has(c.head_sha)) checkedAt.set(c.head_sha, performance.now());
    }, 20);
    const latencies: number[] = [];
    const requestsBefore = world.github.requests.length;
    const cpuBefore = cpuSeconds(pid);
    const start = performance.now();
    let firstCheck = 0;
    try {
      for (let push = 0; push < PUSHES; push++) {
        const sent = new Map<string, number>();
        await Promise.all(
          heads.map(async (commits, i) => {
            const head = commits[push]!;
            world.github.git(['update-ref', `refs/heads/pr-${i}`, head]);
            sent.set(head, performance.now());
            const status = await webhooks.pullRequest(push === 0 ? 'opened' : 'synchronize', { number: i + 1, head, headRef: `pr-${i}`, base: world.base, author: 'alice' });
            if (status !== 200) throw new Error(`webhook answered ${status}`);
          }),
        );
        await waitFor(`the checks of push ${push + 1}`, () => {
          if (app.current().includes('JavaScript heap out of memory') || app.current().includes('FATAL')) throw new Error('the server ran out of memory');
          return heads.every((c) => checkedAt.has(c[push]!)) || undefined;
        }, 1_800_000);
        for (const [head, at] of sent) latencies.push(checkedAt.get(head)! - at);
        if (push === 0) firstCheck = Math.max(...[...sent.keys()].map((h) => checkedAt.get(h)! - sent.get(h)!));
      }
    } catch (e) {
      return { specs, checksPerSecond: 0, p50: 0, p99: 0, cpuPerCheck: 0, firstCheck, peakRssMb: 0, requestsPerEvent: 0, crashed: (e as Error).message.split('\n')[0] };
    } finally {
      clearInterval(watch);
    }
    const seconds = (performance.now() - start) / 1000;
    const events = PRS * PUSHES;
    latencies.sort((a, b) => a - b);
    return {
      specs,
      checksPerSecond: events / seconds,
      p50: percentile(latencies, 50) / 1000,
      p99: percentile(latencies, 99) / 1000,
      cpuPerCheck: (cpuSeconds(pid) - cpuBefore) / events,
      firstCheck: firstCheck / 1000,
      peakRssMb: peakRssMb(pid),
      requestsPerEvent: (world.github.requests.length - requestsBefore) / events,
      crashed: undefined,
    };
  } finally {
    await world.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The V8 heap given to the server in the last row (NODE_OPTIONS): what keeps 30,000 specs under 1 GB. */
const BOUNDED_HEAP_MB = 700;

export async function benchAppScale(workDir: string): Promise<string> {
  const sizes = (process.env.ENVSYNC_BENCH_SCALE ?? '2000,10000,30000').split(',').map(Number);
  const rows: (ScaleResult & { heap?: number })[] = [];
  for (const specs of sizes) rows.push(await scaleRun(workDir, specs));
  const largest = Math.max(...sizes);
  rows.push({ ...(await scaleRun(workDir, largest, { NODE_OPTIONS: `--max-old-space-size=${BOUNDED_HEAP_MB}` })), heap: BOUNDED_HEAP_MB });
  const row = (r: ScaleResult & { heap?: number }) =>
    r.crashed
      ? `| ${r.specs.toLocaleString('en')} | **failed**: ${r.crashed} | | | | | |`
      : `| ${r.specs.toLocaleString('en')}${r.heap ? `, heap ${r.heap} MB` : ''} | ${r.checksPerSecond.toFixed(2)} | ${r.p50.toFixed(1)} s / ${r.p99.toFixed(1)} s | ${r.firstCheck.toFixed(1)} s | **${(r.cpuPerCheck * 1000).toFixed(0)} ms** | **${r.peakRssMb.toFixed(0)} MB** | ${r.requestsPerEvent.toFixed(1)} |`;
  return `## The app on large repositories

${PRS} pull requests, each pushed ${PUSHES} times with ${FILES_PER_PUSH} environments changed, against one real
\`envsync serve\` (SQLite, Probot's write throttling off so that the measure is envsync's work) and the fake
GitHub on a real git repository; the system holds main. The ${PRS} pull requests of a push are sent at once.
Time to a check: from the webhook to the envsync/validate check run on that head, which includes the fake
GitHub's own work (a git process per request) on the same machine. CPU per check: the server process's user
and system time over the whole run divided by the ${PRS * PUSHES} checks. Goal: 30,000 specs without a crash,
under 1 GB, and a 10-file check in under 2 s of the server's time.

| specs | checks a second | time to a check p50 / p99 | first push's slowest check | server CPU per check | peak RSS | GitHub requests per event |
| --- | --- | --- | --- | --- | --- | --- |
${rows.map(row).join('\n')}

The last row gives the server a ${BOUNDED_HEAP_MB} MB heap (\`NODE_OPTIONS=--max-old-space-size=${BOUNDED_HEAP_MB}\`): with the
default heap (a quarter of this machine's memory) V8 lets garbage grow before it collects, so the peak
says as much about the collector as about what envsync keeps; with it, the heavy jobs' pool is one (see
\`ENVSYNC_HEAVY_JOBS\`).

The first check after the server starts reads its head whole (one tarball; the checks that come meanwhile
wait for it), and every later head from a revision read before: the files GitHub's comparison names are fetched (a compare and one request per file), the
specs whose bytes did not change keep their loads, and the rules across specs run again for the changed
specs and those that refer to them (\`src/flows/revisions.ts\`, \`src/engine/validate-change.ts\`).
`;
}

/** `node dist/bench/app-scale.js SPECS`: one size, printed as JSON (for a quick look without the whole bench). */
if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(join(tmpdir(), 'envsync-scale-work-'));
  console.log(JSON.stringify(await scaleRun(work, Number(process.argv[2] ?? 2000), process.argv[3] ? { NODE_OPTIONS: process.argv[3] } : {}), null, 2));
  rmSync(work, { recursive: true, force: true });
}
