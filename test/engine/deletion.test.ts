import { describe, expect, it } from 'vitest';
import { massDeletions } from '../../src/engine/deletion.js';

const specs = (project: string, n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'Environment', project, name: `e${i}` }));

describe('mass deletions', () => {
  it('hold a revision that deletes every spec of a project, whatever the share setting', () => {
    expect(massDeletions([...specs('pay', 3), ...specs('ops', 2)], specs('ops', 2))).toEqual([{ project: 'pay', held: 3, deleted: 3, reason: 'deletes all 3 specs of project pay' }]);
    expect(massDeletions(specs('pay', 1), [], 1)).toEqual([{ project: 'pay', held: 1, deleted: 1, reason: 'deletes all 1 spec of project pay' }]);
  });

  it('hold more than deletion.maxShare of a project, and let fewer through', () => {
    const before = specs('pay', 4);
    expect(massDeletions(before, before.slice(0, 1), 0.5)).toEqual([{ project: 'pay', held: 4, deleted: 3, reason: 'deletes 3 of the 4 specs of project pay (75%, more than deletion.maxShare 0.5)' }]);
    expect(massDeletions(before, before.slice(0, 2), 0.5)).toEqual([]);
    expect(massDeletions(before, before.slice(0, 1))).toEqual([]);
  });

  it('count a template version as its own spec, and nothing for a project that is new', () => {
    const before = [{ kind: 'ResourceTemplate', project: 'pay', name: 'db', version: 'v1' }, { kind: 'ResourceTemplate', project: 'pay', name: 'db', version: 'v2' }];
    expect(massDeletions(before, before.slice(1), 0.4).map((d) => d.deleted)).toEqual([1]);
    expect(massDeletions([], specs('new', 3))).toEqual([]);
  });
});
