// How a plan's runs fall into the waves of a rollout: in order, each wave the runs its selectors
// match among those left, a share by name, what is left last; never before an environment a run
// depends on.
import { describe, expect, it } from 'vitest';
import { assignWaves, REST_WAVE } from '../../../src/engine/plan/waves.js';
import type { Run } from '../../../src/engine/plan/types.js';

const run = (name: string, dependsOn?: string): Run => {
  const [project, environment] = name.split('/') as [string, string];
  return { project, environment, action: 'deploy', reasons: dependsOn ? [{ type: 'dependency-runs', kind: 'Environment', project: dependsOn.split('/')[0]!, name: dependsOn.split('/')[1]! }] : [], approvals: [], activities: [] };
};
const names = (waves: ReturnType<typeof assignWaves>) => waves.map((w) => [w.name, w.gate, w.runs.map((r) => `${r.project}/${r.environment}`)]);

describe('assignWaves', () => {
  const runs = ['a/one', 'a/two', 'b/one', 'b/two', 'b/three', 'c/one'].map((n) => run(n));

  it('is one wave of every run without rules', () => {
    expect(names(assignWaves(runs, []))).toEqual([[REST_WAVE, false, ['a/one', 'a/two', 'b/one', 'b/two', 'b/three', 'c/one']]]);
  });

  it('takes, wave by wave, what each selects among the runs left, and runs the rest last; an empty wave is left out', () => {
    const waves = assignWaves(runs, [{ name: 'canary', environments: ['*/one'] }, { name: 'none', projects: ['z'] }, { name: 'b', projects: ['b'], gate: true }]);
    expect(names(waves)).toEqual([
      ['canary', false, ['a/one', 'b/one', 'c/one']],
      ['b', true, ['b/two', 'b/three']],
      [REST_WAVE, false, ['a/two']],
    ]);
  });

  it('takes a share of the runs matched by name, rounded up, and selects by labels', () => {
    const labels: Record<string, Record<string, string>> = { 'b/three': { tier: 'edge' }, 'c/one': { tier: 'edge' } };
    const waves = assignWaves(runs, [{ name: 'edge', labels: { tier: 'edge' } }, { name: 'third', share: 34 }], (r) => labels[`${r.project}/${r.environment}`] ?? {});
    expect(names(waves)).toEqual([
      ['edge', false, ['b/three', 'c/one']],
      ['third', false, ['a/one', 'a/two']],
      [REST_WAVE, false, ['b/one', 'b/two']],
    ]);
  });

  it('never puts a run before an environment it depends on: it joins that later wave', () => {
    const chain = [run('a/base'), run('a/app', 'a/base')];
    expect(names(assignWaves(chain, [{ name: 'first', environments: ['a/app'] }]))).toEqual([[REST_WAVE, false, ['a/base', 'a/app']]]);
  });

  it('leaves destroys out of the waves: they go last, in the plan\'s order (dependents first)', () => {
    const gone = { ...run('a/old'), action: 'destroy' as const };
    expect(names(assignWaves([...runs, gone], [{ name: 'a', projects: ['a'] }]))).toEqual([
      ['a', false, ['a/one', 'a/two']],
      [REST_WAVE, false, ['b/one', 'b/two', 'b/three', 'c/one', 'a/old']],
    ]);
  });
});
