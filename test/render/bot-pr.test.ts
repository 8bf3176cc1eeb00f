// The bot pull request's title, description and commit message: names no one chose (a spec's, a
// field's, a value, an actor's) take no effect as Markdown or HTML, and whatever the number of specs
// or fields, GitHub's limits on a title and a body are kept and what is left out is counted.
import { describe, expect, it } from 'vitest';
import type { ExportPlan, FileChange } from '../../src/engine/export.js';
import { BOT_PR_MARKER, commitMessage, pullRequestBody, pullRequestTitle, TITLE_LIMIT, type ChangeRecord } from '../../src/render/bot-pr.js';

const CLOSING = 'envsync updates this pull request in place when the system changes again; commits you push to its branch are never overwritten.';

const environment = (name: string, fields: FileChange['fields'] = [{ path: 'spec.variables[name=owner_team].value', before: 'a', after: 'b' }], project = 'payments'): FileChange => ({
  path: `projects/${project}/environments/${name}.yaml`,
  content: '',
  resource: { kind: 'Environment', project, name, operation: 'Update' },
  fields,
});
const planOf = (files: FileChange[], secrets: ExportPlan['secrets'] = [], rewritten: string[] = []): ExportPlan => ({ files, secrets, rewritten });
const api = (actor: string): ChangeRecord => ({ operation: 'update', trigger: 'internal', actor, revision: null });

describe('a bot pull request with names no one chose', () => {
  const hostile = '<img src=x onerror=alert(1)>**[x](https://evil.example)** | `tick` @octocat';
  const plan = planOf([
    {
      path: 'projects/payments/environments/weird.yaml',
      content: '',
      resource: { kind: 'Environment', project: 'payments', name: hostile, operation: 'Update' },
      fields: [
        { path: `spec.variables[name=${hostile}].value`, before: hostile, after: 'plain' },
        { path: 'spec.template.version', before: 'v1', after: 'v2' },
      ],
    },
  ]);
  const records = new Map([[`Environment/payments/${hostile}`, api(hostile)]]);

  it('writes them in code spans, where no Markdown or HTML of theirs takes effect, pipes escaped in tables', () => {
    expect(pullRequestBody(plan, { actors: [hostile], records })).toBe(
      [
        BOT_PR_MARKER,
        'This spec changed in the system outside Git by ``<img src=x onerror=alert(1)>**[x](https://evil.example)** | `tick` @octocat``. Merging this pull request makes Git match the system; it starts no run.',
        '',
        '#### update Environment ``payments/<img src=x onerror=alert(1)>**[x](https://evil.example)** | `tick` @octocat``',
        '',
        '`projects/payments/environments/weird.yaml`: updated through the system API by the API token ``<img src=x onerror=alert(1)>**[x](https://evil.example)** | `tick` @octocat``.',
        '',
        '| field | before<br>→ after |',
        '| --- | --- |',
        '| ``spec.variables[name=<img src=x onerror=alert(1)>**[x](https://evil.example)** \\| `tick` @octocat].value`` | ``"<img src=x onerror=alert(1)>**[x](https://evil.example)** \\| `tick` @octocat"``<br>→ `"plain"` |',
        '| `spec.template.version` | `"v1"`<br>→ `"v2"` |',
        '',
        CLOSING,
        '',
      ].join('\n'),
    );
  });

  it('names them on one line in the title and the commit message, which GitHub shows as text', () => {
    const title = `envsync: update Environment payments/${hostile} (2 fields)`;
    expect(pullRequestTitle(plan)).toBe(title);
    expect(pullRequestTitle(planOf([environment('a\nb\u0007c')]))).toBe('envsync: update Environment payments/a b c (owner_team)');
    expect(commitMessage(plan, { actors: [], records })).toBe(`${title}\n\nUpdated through the system API by the API token ${hostile}.`);
  });
});

describe('the title', () => {
  it('of a spec lists the fields that fit and counts the others', () => {
    const fields = Array.from({ length: 40 }, (_, i) => ({ path: `spec.variables[name=variable_${i}].value`, before: '1', after: '2' }));
    expect(pullRequestTitle(planOf([environment('staging', fields)]))).toBe(
      'envsync: update Environment payments/staging (variable_0, variable_1, variable_2, +37 more)',
    );
    const kinds = [{ path: 'spec.envVars[key=AWS_REGION].value', before: 'a', after: 'b' }, { path: 'spec.template.version', before: 'v1', after: 'v2' }, { path: 'spec.variables (order)', before: ['a', 'b'], after: ['b', 'a'] }];
    expect(pullRequestTitle(planOf([environment('staging', kinds)]))).toBe('envsync: update Environment payments/staging (AWS_REGION, template.version, variables (order))');
    // A field whose name alone is too long is counted.
    expect(pullRequestTitle(planOf([environment('staging', [{ path: `spec.config.${'x'.repeat(200)}`, before: 1, after: 2 }])]))).toBe('envsync: update Environment payments/staging (1 field)');
  });

  it('of several specs says what they have in common, and names those that fit', () => {
    const two = [environment('dev', undefined, 'payments'), environment('staging', undefined, 'search')];
    expect(pullRequestTitle(planOf(two))).toBe('envsync: update 2 specs in 2 projects (Environment payments/dev, Environment search/staging)');
    const many = planOf(Array.from({ length: 5000 }, (_, i) => environment(`env-${i}`)));
    expect(pullRequestTitle(many)).toBe('envsync: update 5000 specs in payments (Environment env-0, Environment env-1, +4998 more)');
  });

  it("stays within GitHub's limit whatever a name's length", () => {
    const title = pullRequestTitle(planOf([environment('n'.repeat(1000))]));
    expect(title).toHaveLength(TITLE_LIMIT);
    expect(title.endsWith('n…')).toBe(true);
  });
});

describe('the description', () => {
  it('shows 30 fields of a spec and counts the others; notes a secret kept, a file written anew and a new project folder', () => {
    const fields = Array.from({ length: 32 }, (_, i) => ({ path: `spec.config.f${i}`, after: i }));
    const file = 'projects/search/environments/web.yaml';
    const plan = planOf(
      [{ path: file, content: '', resource: { kind: 'Environment', project: 'search', name: 'web', operation: 'Update' }, fields }, { path: 'projects/search/.gitkeep', content: '' }],
      [{ file, path: 'spec.variables[0].value', outcome: 'kept' }],
      [file],
    );
    const body = pullRequestBody(plan, { actors: [] });
    expect(body).toContain('| `spec.config.f29` | —<br>→ `29` |\n\n…and 2 more fields: the file\'s diff has them.\n');
    expect(body).not.toContain('f30');
    expect(body).toContain('\nChanged in the system and left as Git has it (`secrets: keep`): `spec.variables[0].value`.\n');
    expect(body).toContain('\nThe file is written anew: an in-place edit could not express the change.\n');
    expect(body).toContain('\n`projects/search/.gitkeep` keeps the folder of a project new to Git.\n');
    expect(body.startsWith(`${BOT_PR_MARKER}\nThis spec changed in the system outside Git. `)).toBe(true);
  });

  it('of 5,000 specs stays within 65,536 characters and says how many specs it left out', () => {
    const plan = planOf(Array.from({ length: 5000 }, (_, i) => environment(`env-${i}`)));
    const body = pullRequestBody(plan, { actors: Array.from({ length: 1000 }, (_, i) => `user-${i}`) });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/^<!-- envsync:system-sync -->\nThese 5000 specs changed in the system outside Git by `user-0`, `user-1`, (`user-\d+`, )+\+\d+ more\. Merging/);
    const shown = body.split('\n').filter((l) => l.startsWith('#### update Environment')).length;
    expect(body).toContain(`\n${5000 - shown} more changes not shown: the pull request's files have every change.\n`);
    expect(body.endsWith(`${CLOSING}\n`)).toBe(true);
  });

  it('says how each spec came to differ from Git: through the API, with envsync system, or from a revision', () => {
    const names = ['a', 'b', 'c', 'd'];
    const records = new Map<string, ChangeRecord>([
      ['Environment/payments/a', { operation: 'update', trigger: 'internal', actor: null, revision: null }],
      ['Environment/payments/b', { operation: 'create', trigger: 'manual', actor: null, revision: null }],
      ['Environment/payments/c', { operation: 'update', trigger: 'webhook', actor: 'alice', revision: 'ab12cd34'.repeat(5) }],
      ['Environment/payments/d', { operation: 'update', trigger: 'manual', actor: 'envsync drift check', revision: 'rev-1' }],
    ]);
    const lines = pullRequestBody(planOf(names.map((n) => environment(n))), { actors: [], records }).split('\n').filter((l) => l.startsWith('`projects/'));
    expect(lines).toEqual([
      '`projects/payments/environments/a.yaml`: updated through the system API.',
      '`projects/payments/environments/b.yaml`: created with `envsync system`.',
      '`projects/payments/environments/c.yaml`: last updated in the system from Git revision `ab12cd3`.',
      '`projects/payments/environments/d.yaml`: last updated in the system from Git revision `rev-1`, applied by `envsync drift check`.',
    ]);
  });

  it('is the same for the same plan and records', () => {
    const plan = planOf([environment('dev'), environment('staging')]);
    const records = new Map([['Environment/payments/dev', api('platform-console')]]);
    expect(pullRequestBody(plan, { actors: ['b', 'a'], records })).toBe(pullRequestBody(structuredClone(plan), { actors: ['b', 'a'], records: new Map(records) }));
  });
});
