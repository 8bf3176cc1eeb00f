// Changes to the example repository, each showing one kind of change or one reason for a run.
import { readDirectory } from '../../src/specs/read-directory.js';
import type { SourceFile } from '../../src/specs/source.js';

export const EXAMPLE = new URL('../../examples/config-repo/', import.meta.url).pathname;

export function exampleFiles(): SourceFile[] {
  return readDirectory(EXAMPLE, { root: '.', maxFileBytes: 1 << 20 });
}

type Edit = (files: Map<string, string>) => void;

const replace = (path: string, from: string, to: string): Edit => (files) => {
  const text = files.get(path);
  if (text === undefined || !text.includes(from)) throw new Error(`scenario: ${path} does not contain ${JSON.stringify(from)}`);
  files.set(path, text.replace(from, to));
};

const ET = 'projects/payments/environmenttemplates/web-stack.yaml';
const DEV = 'projects/payments/environments/dev.yaml';

export const SCENARIOS: Record<string, Edit[]> = {
  // An environment template edited in place: both environments run, with a warning.
  'template-edited-in-place': [replace(ET, 'value: "2"', 'value: "4"')],
  // A new environment.
  'environment-created': [
    (files) => files.set('projects/payments/environments/qa.yaml', files.get(DEV)!.replace('name: dev', 'name: qa').replace('payments-dev', 'payments-qa')),
  ],
  // An environment's own values change.
  'environment-updated': [replace(DEV, 'value: "1"', 'value: "2"')],
  // An environment deleted: a destroy run.
  'environment-deleted': [(files) => files.delete('projects/payments/environments/staging.yaml')],
  // A new template version beside the old one; dev moves to it, staging stays.
  'template-version-bump': [
    (files) => files.set('projects/payments/environmenttemplates/web-stack@v2.yaml', files.get(ET)!.replace('version: v1', 'version: v2').replace('value: "2"', 'value: "4"')),
    replace(DEV, 'version: v1', 'version: v2'),
  ],
  // A resource template of the template changes.
  'resource-template-changed': [replace('projects/payments/resourcetemplates/database.yaml', 'timeoutSeconds: 1800', 'timeoutSeconds: 2400')],
  // A static resource changes.
  'static-resource-changed': [replace('projects/payments/resources/dns-zone.yaml', 'Z0EXAMPLE', 'Z1EXAMPLE')],
  // A secret rotated in a config context shared by another project: shown as changed, never in clear.
  'context-secret-rotated': [replace('projects/platform/configcontexts/aws-account.yaml', 'example-secret-access-key', 'rotated-secret-access-key')],
  // A shared driver used by hooks, and a driver used by custom provider tasks.
  'drivers-changed': [
    replace('projects/platform/drivers/notify.yaml', 'timeoutSeconds: 60', 'timeoutSeconds: 90'),
    replace('projects/payments/drivers/render-manifests.yaml', 'repeat: 15s', 'repeat: 30s'),
  ],
  // A template version deleted while environments use it: an error.
  'template-deleted-in-use': [(files) => files.delete('projects/payments/resourcetemplates/database.yaml')],
  // Nothing changes.
  'no-change': [],
};

/** The example repository with a scenario's edits applied. */
export function scenarioFiles(name: string): SourceFile[] {
  const files = new Map(exampleFiles().map((f) => [f.path, new TextDecoder().decode(f.content)]));
  for (const edit of SCENARIOS[name]!) edit(files);
  return [...files].map(([path, text]) => {
    const content = new TextEncoder().encode(text);
    return { path, size: content.length, content };
  });
}
