// DAG semantics, table by table: order, parallelism, failure propagation, continue, conditions,
// timeouts, retries and cancellation.
import { describe, expect, it } from 'vitest';
import { executeGraph, type AttemptResult, type ExecutableActivity } from '../../../src/engine/run/executor.js';

type A = ExecutableActivity & { fails?: number; ms?: number };
const act = (id: string, dependsOn: string[] = [], extra: Partial<A> = {}): A => ({ id, dependsOn, ...extra });

/** Runs `graph`; each activity waits `ms`, and fails its first `fails` attempts (all when Infinity). */
async function run(graph: A[], concurrency = 4, signal?: AbortSignal) {
  const order: string[] = [];
  let live = 0;
  let peak = 0;
  const attempts = new Map<string, number>();
  const result = await executeGraph(
    graph,
    async (a, abort): Promise<AttemptResult> => {
      order.push(a.id);
      live++;
      peak = Math.max(peak, live);
      const n = (attempts.get(a.id) ?? 0) + 1;
      attempts.set(a.id, n);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, a.ms ?? 1);
          abort.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        });
      } finally {
        live--;
      }
      return n <= (a.fails ?? 0) ? { ok: false, reason: `attempt ${n} failed` } : { ok: true, outputs: { attempt: n } };
    },
    { concurrency, ...(signal ? { signal } : {}) },
  );
  const status = Object.fromEntries(result.activities.map((r) => [r.id, r.status]));
  return { result, order, peak, status };
}

describe('executeGraph', () => {
  it('runs an activity only after everything it depends on', async () => {
    const { order, result } = await run([act('c', ['b']), act('b', ['a']), act('a')]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(result.status).toBe('success');
  });

  it('runs independent activities in parallel, up to the limit', async () => {
    const wide = Array.from({ length: 10 }, (_, i) => act(`w${i}`, [], { ms: 20 }));
    expect((await run(wide, 3)).peak).toBe(3);
    expect((await run(wide, 1)).peak).toBe(1);
  });

  it('fails the run on a failure, skips what depends on it, and still runs onFailure and onCompletion hooks', async () => {
    const { status, result } = await run([
      act('a', [], { fails: Infinity }),
      act('b', ['a']),
      act('on-success', ['b'], { when: 'success' }),
      act('on-failure', ['b'], { when: 'failure' }),
      act('on-completion', ['on-success', 'on-failure'], { when: 'always' }),
    ]);
    expect(result.status).toBe('failure');
    expect(status).toEqual({ a: 'failure', b: 'skipped', 'on-success': 'skipped', 'on-failure': 'success', 'on-completion': 'success' });
    expect(result.activities[0]).toMatchObject({ reason: 'attempt 1 failed', attempts: 1 });
  });

  it('lets the run go on past an activity whose failure is allowed (onFailure: continue)', async () => {
    const { status, result } = await run([act('a', [], { fails: Infinity, onFailure: 'continue' }), act('b', ['a']), act('done', ['b'], { when: 'success' })]);
    expect(result.status).toBe('success');
    expect(status).toEqual({ a: 'failure', b: 'success', done: 'success' });
  });

  it('retries a failed attempt up to maxRetryCount times', async () => {
    const twice = await run([act('a', [], { fails: 2, maxRetryCount: 2 })]);
    expect(twice.result.activities[0]).toMatchObject({ status: 'success', attempts: 3, outputs: { attempt: 3 } });
    const tooFew = await run([act('a', [], { fails: 2, maxRetryCount: 1 })]);
    expect(tooFew.result.activities[0]).toMatchObject({ status: 'failure', attempts: 2, reason: 'attempt 2 failed' });
  });

  it('fails an activity that runs past its timeout, and aborts its work', async () => {
    const { result } = await run([act('slow', [], { ms: 5_000, timeoutSeconds: 0.05 })]);
    expect(result.activities[0]).toMatchObject({ status: 'failure', reason: 'timed out after 0.05s' });
  });

  it('cancels a run: running activities are aborted, the others never start', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by a user')), 30);
    const { result, status } = await run([act('a', [], { ms: 5_000 }), act('b', ['a'])], 4, controller.signal);
    expect(result.status).toBe('cancelled');
    expect(status).toEqual({ a: 'cancelled', b: 'cancelled' });
  });

  it('reports activities of a dependency cycle as skipped instead of waiting forever', async () => {
    const { status, result } = await run([act('x', ['y']), act('y', ['x']), act('free')]);
    expect(status).toEqual({ x: 'skipped', y: 'skipped', free: 'success' });
    expect(result.status).toBe('success');
  });
});
