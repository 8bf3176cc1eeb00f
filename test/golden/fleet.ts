// A fleet: the example repository with its payments web stack shared by three projects, 152
// environments on it (payments' dev and staging, 50 more in each of payments, retail and logistics),
// and a change of that one template. What a platform team's template change looks like in a review.
import type { SourceFile } from '../../src/specs/source.js';
import { exampleFiles } from './scenarios.js';

const TEMPLATE = 'projects/payments/environmenttemplates/web-stack.yaml';
const DEV = 'projects/payments/environments/dev.yaml';
export const FLEET_PROJECTS = ['payments', 'retail', 'logistics'];
export const PER_PROJECT = 50;

const encode = (text: string) => new TextEncoder().encode(text);
const file = (path: string, text: string): SourceFile => {
  const content = encode(text);
  return { path, size: content.length, content };
};

/** The fleet before the change; `changed`: with the preflight image of the shared template moved on. */
export function fleetFiles(changed = false): SourceFile[] {
  const files = new Map(exampleFiles().map((f) => [f.path, new TextDecoder().decode(f.content)]));
  let template = files.get(TEMPLATE)!.replace('  sharing:\n    enabled: false', '  sharing:\n    enabled: true\n    projects:\n    - name: retail\n    - name: logistics');
  if (changed) template = template.replace('image: ghcr.io/example/preflight:2', 'image: ghcr.io/example/preflight:3');
  files.set(TEMPLATE, template);
  const dev = files.get(DEV)!;
  for (const project of FLEET_PROJECTS) {
    if (project !== 'payments') files.set(`projects/${project}.yaml`, files.get('projects/payments.yaml')!.replace(/name: payments/, `name: ${project}`).replace("The payments team's environments", `The ${project} team's environments`));
    for (let i = 0; i < PER_PROJECT; i++) {
      const name = `env-${String(i).padStart(2, '0')}`;
      files.set(`projects/${project}/environments/${name}.yaml`, dev.replace('name: dev', `name: ${name}`).replace('project: payments', `project: ${project}`).replace('payments-dev', `${project}-${name}`));
    }
  }
  return [...files].map(([path, text]) => file(path, text));
}
