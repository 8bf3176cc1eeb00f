// The executor: the scheduling overhead of 1,000 no-op activities in a deep chain and in a wide fan
// (target: under 0.5 s), and a DAG of timed activities finishing within 5% of its critical path.
import { executeGraph, type ExecutableActivity } from '../src/engine/run/executor.js';
import { median, ms } from './measure.js';

type Timed = ExecutableActivity & { ms: number };

async function overhead(graph: ExecutableActivity[], concurrency: number): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    await executeGraph(graph, async () => ({ ok: true }), { concurrency });
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Three layers (fan-out, work, fan-in) whose longest chain is `critical` ms. */
function timedDag(): { graph: Timed[]; critical: number } {
  const graph: Timed[] = [{ id: 'start', dependsOn: [], ms: 50 }];
  for (let i = 0; i < 8; i++) {
    graph.push({ id: `a${i}`, dependsOn: ['start'], ms: 100 + 25 * i });
    graph.push({ id: `b${i}`, dependsOn: [`a${i}`], ms: 150 });
  }
  graph.push({ id: 'end', dependsOn: Array.from({ length: 8 }, (_, i) => `b${i}`), ms: 50 });
  return { graph, critical: 50 + (100 + 25 * 7) + 150 + 50 };
}

export async function benchExecutor(): Promise<string> {
  const deep = Array.from({ length: 1_000 }, (_, i): ExecutableActivity => ({ id: `a${i}`, dependsOn: i ? [`a${i - 1}`] : [] }));
  const wide = Array.from({ length: 1_000 }, (_, i): ExecutableActivity => ({ id: `a${i}`, dependsOn: [] }));
  const deepMs = await overhead(deep, 8);
  const wideMs = await overhead(wide, 8);
  const { graph, critical } = timedDag();
  const start = performance.now();
  await executeGraph(graph, (a) => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), a.ms)), { concurrency: 8 });
  const elapsed = performance.now() - start;
  return `## The executor

| measure | result | target |
| --- | --- | --- |
| 1,000 no-op activities in a chain (median of 5) | **${ms(deepMs)}** | < 500 ms |
| 1,000 no-op activities side by side, 8 at a time (median of 5) | **${ms(wideMs)}** | < 500 ms |
| timed DAG (18 activities, 8 in parallel): elapsed against its critical path of ${critical} ms | ${ms(elapsed)}, **+${(((elapsed - critical) / critical) * 100).toFixed(1)}%** | within 5% |
`;
}
