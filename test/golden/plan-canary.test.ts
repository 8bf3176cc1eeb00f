// Secrets changed by a pull request appear in no byte of any plan output: only that they changed.
import { expect, it } from 'vitest';
import { planChange } from '../../src/engine/plan/plan.js';
import { loadSpecs } from '../../src/specs/load.js';
import { renderPlan, renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { exampleFiles } from './scenarios.js';
import type { SourceFile } from '../../src/specs/source.js';

const CANARY = 'CANARY-b4e1d7';

/** The example repository with secrets of every sort set to `secret` (and new files holding some). */
function withSecrets(secret: string): SourceFile[] {
  const edits: Record<string, [string, string][]> = {
    'projects/platform/configcontexts/aws-account.yaml': [
      ['example-access-key-id', `${secret}-env`],
      ['example-secret-access-key', `${secret}-variable`],
      ['eyJidWNrZXQiOiAiZXhhbXBsZS1zdGF0ZSJ9', `${secret}-file`],
      // A password that nothing marks sensitive: only its name says what it is.
      ['  files:', `  - key: DB_PASS\n    value: ${secret}-db-pass\n  files:`],
    ],
    'projects/platform/drivers/tofu-runner.yaml': [
      ['example-pull-password', `${secret}-pull`],
      ['TF_IN_AUTOMATION: "true"', `TF_IN_AUTOMATION: "true"\n        TF_TOKEN_registry: ${secret}-container-env`],
    ],
    'projects/platform/drivers/notify.yaml': [['Content-Type: application/json', `Content-Type: application/json\n        Authorization: Bearer ${secret}-header`]],
  };
  const files = exampleFiles().map((f) => {
    let text = new TextDecoder().decode(f.content);
    for (const [from, to] of edits[f.path] ?? []) {
      if (!text.includes(from)) throw new Error(`${f.path} lacks ${from}`);
      text = text.replace(from, to);
    }
    const content = new TextEncoder().encode(text);
    return { path: f.path, size: content.length, content };
  });
  // A new environment that overrides a variable its template's context declares sensitive.
  const qa = `apiVersion: eaas.envmgmt.io/v1
kind: Environment
metadata:
  name: qa
  project: payments
spec:
  template:
    name: web-stack
    version: v1
  variables:
  - name: owner_team
    value: qa
  - name: aws_secret_access_key
    value: ${secret}-override
`;
  const content = new TextEncoder().encode(qa);
  return [...files, { path: 'projects/payments/environments/qa.yaml', size: content.length, content }];
}

it('shows changed secrets as (sensitive) and never their values, in JSON, Markdown, comment and check run', () => {
  const plan = planChange({
    base: { revision: 'base', loaded: loadSpecs(withSecrets('OLD-SECRET')) },
    head: { revision: 'head', loaded: loadSpecs(withSecrets(CANARY)) },
  });
  const rendered = renderPlan(plan);
  const outputs = [JSON.stringify(plan), renderPlanMarkdown(plan), rendered.comment, rendered.checkSummary, rendered.checkText];
  // The secrets did change, and the plan says so...
  const sensitivePaths = plan.changes.flatMap((c) => c.fields.filter((f) => f.sensitive).map((f) => `${c.name}:${f.path}`));
  expect(sensitivePaths).toEqual([
    'qa:spec.variables[name=aws_secret_access_key].value',
    'aws-account:spec.envs[key=AWS_ACCESS_KEY_ID].value',
    'aws-account:spec.envs[key=DB_PASS].value',
    'aws-account:spec.files[name=backend.tfvars.json].data',
    'aws-account:spec.variables[name=aws_secret_access_key].value',
    'notify:spec.config.http.headers.Authorization',
    'tofu-runner:spec.config.container.envVars.TF_TOKEN_registry',
    'tofu-runner:spec.config.container.imagePullCredentials.password',
  ]);
  // The unmarked DB_PASS is said to have changed, as a secret, wherever it is named.
  const markdown = renderPlanMarkdown(plan);
  expect(markdown).toContain('@@ spec.envs[key=DB_PASS].value @@\n  (sensitive: a secret value changed; it is never shown)');
  expect(markdown.split('\n').filter((line) => line.includes('DB_PASS') && !line.startsWith('@@')).every((line) => line.includes('<code>DB_PASS</code> (sensitive) changed'))).toBe(true);
  // ...and no output holds either the new or the old value.
  for (const output of outputs) {
    expect(output).not.toContain(CANARY);
    expect(output).not.toContain('OLD-SECRET');
  }
});
