// A finished run's summary: the table, and the activity graph coloured by status, drawn only from
// results that are safe to draw (a runner writes them, so they are not trusted).
import { describe, expect, it } from 'vitest';
import { jobSummary } from '../../src/render/run-summary.js';
import type { RunResults } from '../../src/runner/run.js';

const results = (activities: RunResults['activities']): RunResults => ({ project: 'payments', environment: 'dev', action: 'deploy', revision: 'abc', status: 'failure', activities, outputs: {} });
const graph = (summary: string) => /```mermaid\n([\s\S]*?)\n```/.exec(summary)?.[1];

describe('jobSummary', () => {
  it('draws the graph with each activity coloured by how it ended, a class per status used', () => {
    const summary = jobSummary(
      results([
        { id: 'hook/onInit/change-approval', type: 'approval', dependsOn: [], status: 'success', attempts: 1 },
        { id: 'resource/network/apply', type: 'stage', dependsOn: ['hook/onInit/change-approval'], status: 'failure', attempts: 1, reason: 'exited with 3' },
        { id: 'hook/onSuccess/smoke-test', type: 'http', dependsOn: ['resource/network/apply'], when: 'success', status: 'skipped', attempts: 0 },
      ]),
    );
    expect(graph(summary)).toBe(
      [
        'flowchart TD',
        '  a0{{"hook/onInit/change-approval (approval)"}}',
        '  a1["resource/network/apply"]',
        '  a2("hook/onSuccess/smoke-test (http)")',
        '  a0 --> a1',
        '  a1 -.->|on success| a2',
        '  class a0 success',
        '  class a1 failure',
        '  class a2 skipped',
        '  classDef success fill:#dafbe1,stroke:#1a7f37',
        '  classDef failure fill:#ffebe9,stroke:#cf222e',
        '  classDef skipped fill:#f6f8fa,stroke:#8c959f,stroke-dasharray:3',
      ].join('\n'),
    );
  });

  it('draws no graph for an id that could break out of the Mermaid block, nor for an edge to an unknown activity', () => {
    const hostile = jobSummary(results([{ id: 'x"]\n```\n<img src=x>', type: 'stage', dependsOn: [], status: 'success', attempts: 1 }]));
    expect(graph(hostile)).toBeUndefined();
    expect(hostile).not.toContain('```');
    const dangling = jobSummary(results([{ id: 'resource/a/apply', type: 'stage', dependsOn: ['resource/missing/apply'], status: 'success', attempts: 1 }]));
    expect(graph(dangling)).toBeUndefined();
  });

  it('draws no graph for results of an older runner, which carry no dependencies', () => {
    const old = jobSummary(results([{ id: 'resource/a/apply', type: 'stage', status: 'success', attempts: 1 } as RunResults['activities'][number]]));
    expect(graph(old)).toBeUndefined();
  });

  it('draws no graph past the size GitHub renders, but keeps every row of the table', () => {
    const many = Array.from({ length: 151 }, (_, i) => ({ id: `resource/r${i}/apply`, type: 'stage' as const, dependsOn: [], status: 'success' as const, attempts: 1 }));
    const summary = jobSummary(results(many));
    expect(graph(summary)).toBeUndefined();
    expect(summary.split('\n').filter((l) => l.startsWith('| ✅'))).toHaveLength(151);
  });
});
