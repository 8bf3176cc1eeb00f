// The bot pull request's description: whatever the number of specs changed outside Git, GitHub's
// limit on a body is kept, and what is left out is counted.
import { describe, expect, it } from 'vitest';
import type { ExportPlan } from '../../src/engine/export.js';
import { BOT_PR_MARKER, pullRequestBody } from '../../src/render/bot-pr.js';

const plan = (n: number): ExportPlan => ({
  files: Array.from({ length: n }, (_, i) => ({ path: `projects/payments/environments/env-${i}.yaml`, content: '', resource: { kind: 'Environment', project: 'payments', name: `env-${i}`, operation: 'Update' as const } })) as ExportPlan['files'],
  secrets: [{ file: 'projects/payments/environments/env-0.yaml', path: 'spec.variables[0].value', outcome: 'sealed' }] as ExportPlan['secrets'],
  rewritten: [],
});

describe('pullRequestBody', () => {
  it('lists every changed spec and secret of a small change, between the marker and the closing sentence', () => {
    const body = pullRequestBody(plan(2), { actors: ['bob'] });
    expect(body).toBe(
      [
        BOT_PR_MARKER,
        'These specs changed in the system outside Git (by bob). Merging this pull request makes Git match the system; it starts no run.',
        '',
        '| file | spec | change |',
        '| --- | --- | --- |',
        '| `projects/payments/environments/env-0.yaml` | Environment `payments/env-0` | update |',
        '| `projects/payments/environments/env-1.yaml` | Environment `payments/env-1` | update |',
        '',
        '**Secrets** (never written in clear):',
        '- `projects/payments/environments/env-0.yaml` `spec.variables[0].value`: changed in the system; written as a `sealed://` reference, the system keeps the value',
        '',
        'envsync updates this pull request in place when the system changes again; commits you push to its branch are never overwritten.',
        '',
      ].join('\n'),
    );
  });

  it('of 5,000 specs stays within 65,536 characters and says how many lines it left out', () => {
    const body = pullRequestBody(plan(5000), { actors: Array.from({ length: 1000 }, (_, i) => `user-${i}`) });
    expect(body.length).toBeLessThanOrEqual(65_536);
    const shown = body.split('\n').filter((l) => l.startsWith('| `projects/')).length;
    // The rows not shown, and the secrets heading and line after them.
    expect(body).toContain(`\n${5000 - shown + 2} more lines not shown: the pull request's files have every change.\n`);
    expect(body.endsWith('commits you push to its branch are never overwritten.\n')).toBe(true);
  });
});
