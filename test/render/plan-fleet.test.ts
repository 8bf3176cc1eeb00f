// A plan a reviewer reads in one screen, whatever the fleet: runs grouped by cause (one row and one
// graph for a template 152 environments use), gates counted once, changed values whole and on their
// own lines, reasons that name the fields, and a note that says exactly where what did not fit is.
import { describe, expect, it } from 'vitest';
import { planChange } from '../../src/engine/plan/plan.js';
import { loadSpecs } from '../../src/specs/load.js';
import type { SourceFile } from '../../src/specs/source.js';
import { renderPlan, renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { fleetFiles } from '../golden/fleet.js';
import { assignWaves } from '../../src/engine/plan/waves.js';
import { parseMermaid } from '../helpers/mermaid-parse.js';
import { exampleFiles } from '../golden/scenarios.js';

const plan = (base: SourceFile[], head: SourceFile[]) => planChange({ base: { revision: '1'.repeat(40), loaded: loadSpecs(base) }, head: { revision: '2'.repeat(40), loaded: loadSpecs(head) } });
const edit = (files: SourceFile[], path: string, from: string, to: string): SourceFile[] =>
  files.map((f) => (f.path === path ? { ...f, content: new TextEncoder().encode(new TextDecoder().decode(f.content).replace(from, to)) } : f));
/** What shows with every <details> folded: the lines outside them. */
const folded = (markdown: string) => markdown.replace(/<details>[\s\S]*?<\/details>/g, '<details/>').split('\n').filter((l) => l.trim() !== '');

const TEMPLATE = 'projects/payments/environmenttemplates/web-stack.yaml';
const DEV = 'projects/payments/environments/dev.yaml';

describe('a template change a fleet of 152 environments in 3 projects uses', () => {
  const fleet = plan(fleetFiles(), fleetFiles(true));
  const { comment, checkText } = renderPlan(fleet);

  it('is one group: one row naming the cause and the field, the count of environments and projects, one gate to approve', () => {
    expect(fleet.summary).toMatchObject({ deploys: 152, approvals: 1 });
    expect(comment).toContain('**152 environment runs** in 1 group (152 deploy, 0 destroy) · **1 gate to approve**');
    const rows = comment.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| environments') && !l.startsWith('| ---'));
    expect(rows).toEqual([
      '| 152 in 3 projects: <code>logistics/env-00</code>, <code>logistics/env-01</code>, <code>logistics/env-02</code> and 149 more | deploy | EnvironmentTemplate <code>payments/web-stack</code> v1 changed: <code>hooks.onInit[preflight].options.container.image</code> <code>"ghcr.io/example/preflight:2"</code> → <code>"ghcr.io/example/preflight:3"</code> | 1 |',
    ]);
    expect(comment).toContain('To approve: `/approve hook/onInit/change-approval` (152 runs wait for it)');
  });

  it('draws the graph once, marking the activity the change touches, and lists every environment folded', () => {
    expect(comment.match(/```mermaid/g)).toHaveLength(1);
    expect(comment).toContain('152 environments (<code>logistics/env-00</code>, <code>logistics/env-01</code>, <code>logistics/env-02</code> and 149 more) deploy: 20 activities; changed: <code>hook/onInit/preflight</code>');
    for (const project of ['payments', 'retail', 'logistics']) expect(comment).toContain(`<code>${project}/env-49</code>`);
    for (const env of ['payments/dev', 'payments/staging']) expect(comment).toContain(`<code>${env}</code>`);
  });

  it('stays within a screen folded, and far under GitHub\'s limits', () => {
    expect(folded(comment).length).toBeLessThanOrEqual(20);
    expect(comment.length).toBeLessThan(12_000);
    expect(checkText.length).toBeLessThan(12_000);
  });
});

describe('the demo change (dev scaled, the template its environments share given a new preflight image)', () => {
  const story = plan(exampleFiles(), edit(edit(exampleFiles(), DEV, 'value: "1"', 'value: "2"'), TEMPLATE, 'image: ghcr.io/example/preflight:2', 'image: ghcr.io/example/preflight:3'));
  const { comment } = renderPlan(story);

  it('says why each environment runs, naming the fields, and draws their one graph once with the changed activity', () => {
    expect(comment).toContain('| <code>payments/dev</code> | deploy | environment changed: <code>replicas</code> <code>"1"</code> → <code>"2"</code><br>EnvironmentTemplate <code>payments/web-stack</code> v1 changed: <code>hooks.onInit[preflight].options.container.image</code> <code>"ghcr.io/example/preflight:2"</code> → <code>"ghcr.io/example/preflight:3"</code> | 1 |');
    expect(comment).toContain('| <code>payments/staging</code> | deploy | EnvironmentTemplate <code>payments/web-stack</code> v1 changed: <code>hooks.onInit[preflight].options.container.image</code>');
    expect(comment.match(/```mermaid/g)).toHaveLength(1);
    expect(comment).toContain('<code>payments/dev</code>, <code>payments/staging</code> deploy: 20 activities; changed: <code>hook/onInit/preflight</code>');
  });

  it('shows each changed value whole, before and after on their own lines', () => {
    expect(comment).toContain('```diff\n@@ spec.variables[name=replicas].value @@\n- "1"\n+ "2"\n```');
    expect(comment).toContain('```diff\n@@ spec.hooks.onInit[name=preflight].options.container.image @@\n- "ghcr.io/example/preflight:2"\n+ "ghcr.io/example/preflight:3"\n```');
  });
});

describe('a changed value', () => {
  it('is shown whole however long (the after side a reviewer needs), and cut only past 4,000 characters, saying how much is left out', () => {
    const long = `https://hooks.example.com/${'a'.repeat(500)}`;
    const huge = 'x'.repeat(5_000);
    const changed = plan(exampleFiles(), edit(edit(exampleFiles(), TEMPLATE, 'endpoint: https://status.example.com/payments', `endpoint: ${long}`), DEV, 'payments-dev', huge));
    const markdown = renderPlanMarkdown(changed);
    expect(markdown).toContain(`+ "${long}"`);
    expect(markdown).toContain(`+ "${huge.slice(0, 3_999)}\n+ … (1002 more characters: envsync plan --format json has the whole value)`);
  });

  it('that is a secret is never shown, only that it changed', () => {
    const rotated = plan(exampleFiles(), edit(exampleFiles(), 'projects/platform/configcontexts/aws-account.yaml', 'example-secret-access-key', 'rotated-key'));
    const markdown = renderPlanMarkdown(rotated);
    expect(markdown).not.toContain('rotated-key');
    expect(markdown).toContain('@@ spec.variables[name=aws_secret_access_key].value @@\n  (sensitive: a secret value changed; it is never shown)');
    expect(markdown).toContain('<code>aws_secret_access_key</code> (sensitive) changed');
  });
});

describe('detail that does not fit in the comment', () => {
  it('is said to be in the check run only as far as the check run holds it, and where the rest is', () => {
    const fleet = plan(fleetFiles(), fleetFiles(true));
    const whole = renderPlan(fleet);
    const tight = renderPlan(fleet, { comment: whole.comment.length - 3_000, check: 4_000 });
    const note = /> (\d+) sections? of detail did not fit in this comment: (.*)\.\n/.exec(tight.comment)!;
    const inCheck = tight.checkText.match(/<details>/g)?.length ?? 0;
    const omitted = Number(note[1]);
    expect(omitted).toBeGreaterThan(0);
    if (inCheck >= 3) expect(note[2]).toBe('the `envsync/plan` check run has them');
    else expect(note[2]).toMatch(/envsync plan --base 1{40} --head 2{40}/);
  });
});

describe('a fleet change rolled out in waves', () => {
  it('shows the waves before the merge: what each takes, its gate, and that a failure stops the rest', () => {
    const fleet = plan(fleetFiles(), fleetFiles(true));
    const waves = assignWaves(fleet.runs, [{ name: 'canary', environments: ['payments/dev'] }, { name: 'early', projects: ['retail'], gate: true }]);
    const { comment } = renderPlan(fleet, undefined, { waves });
    expect(comment).toContain(
      '\n**Rollout in 3 waves**, each once the one before it succeeded (a failure stops the rest):\n\n' +
        '1. `canary`: <code>payments/dev</code>\n' +
        '2. `early`: 50 environments in <code>retail</code>, after `/approve wave/early`\n' +
        '3. `rest`: 101 environments in <code>logistics</code>, <code>payments</code>\n',
    );
    expect(comment).toContain('To approve: `/approve hook/onInit/change-approval` (152 runs wait for it), `/approve wave/early` (wave `early`, best given on the merged pull request once the wave before it succeeded)');
  });
});

describe('the graph of a group', () => {
  it('marks the activities the change touches, and Mermaid parses it', async () => {
    const { comment } = renderPlan(plan(fleetFiles(), fleetFiles(true)));
    const graph = /```mermaid\n([\s\S]*?)\n```/.exec(comment)![1]!;
    expect(graph).toContain('  classDef changed fill:#ddf4ff,stroke:#0969da,stroke-width:3px');
    expect(graph).toMatch(/\n {2}class a\d+ changed\n/);
    await parseMermaid(graph);
  });
});
