// Small spec files for the repository-rule tests. Every file built by `spec` has the same six-line
// header, so the first line passed in `body` is line 7 of the file:
//   1 apiVersion: ...
//   2 kind: ...
//   3 metadata:
//   4   name: <name>
//   5   project: <project>
//   6 spec:
//   7 <body[0]>
import { yaml } from '../helpers/repo.js';

export type Kind = 'Driver' | 'ConfigContext' | 'Resource' | 'ResourceTemplate' | 'EnvironmentTemplate' | 'Environment';

const PLURAL: Record<Kind, string> = {
  Driver: 'drivers',
  ConfigContext: 'configcontexts',
  Resource: 'resources',
  ResourceTemplate: 'resourcetemplates',
  EnvironmentTemplate: 'environmenttemplates',
  Environment: 'environments',
};

/** The line of `body[index]` in a file built by `spec`. */
export const BODY_LINE = 7;

/** Where a spec lives: projects/<project>/<plural>/<stem>.yaml. */
export const pathOf = (kind: Kind, name: string, project = 'p', stem = name): string => `projects/${project}/${PLURAL[kind]}/${stem}.yaml`;

/** The text of a spec file: the six-line header, then `body` as written (indent it under `spec:`). */
export function specText(kind: Kind, name: string, body: string[], project = 'p'): string {
  return yaml('apiVersion: eaas.envmgmt.io/v1', `kind: ${kind}`, 'metadata:', `  name: ${name}`, `  project: ${project}`, 'spec:', ...body);
}

export interface SpecOptions {
  project?: string;
  /** File name without extension, when it differs from the name (e.g. `name@v2`). */
  stem?: string;
}

/** One file of a repository, as a map entry to spread into `findingsOf({...})`. */
export function spec(kind: Kind, name: string, body: string[], options: SpecOptions = {}): Record<string, string> {
  const project = options.project ?? 'p';
  return { [pathOf(kind, name, project, options.stem)]: specText(kind, name, body, project) };
}

/** A Driver of type http. */
export const driver = (name: string, options: SpecOptions = {}, extra: string[] = []): Record<string, string> =>
  spec('Driver', name, ['  config:', '    type: http', '    http:', '      endpoint: https://example.com/run', ...extra], options);

/** A ConfigContext with nothing in it but `extra`. */
export const context = (name: string, options: SpecOptions = {}, extra: string[] = []): Record<string, string> =>
  spec('ConfigContext', name, extra.length > 0 ? extra : ['  envs: []'], options);

/** An OpenTofu ResourceTemplate of the given version. */
export const resourceTemplate = (name: string, version = 'v1', options: SpecOptions = {}, extra: string[] = []): Record<string, string> =>
  spec('ResourceTemplate', name, [`  version: ${version}`, '  provider: opentofu', ...extra], options);

/** A static Resource. */
export const resource = (name: string, options: SpecOptions = {}, extra: string[] = []): Record<string, string> =>
  spec('Resource', name, extra.length > 0 ? extra : ['  variables: []'], options);

/** An EnvironmentTemplate of the given version with `extra` spec lines. */
export const environmentTemplate = (name: string, version = 'v1', options: SpecOptions = {}, extra: string[] = []): Record<string, string> =>
  spec('EnvironmentTemplate', name, [`  version: ${version}`, ...extra], options);

/** An Environment pinned to a template. */
export const environment = (name: string, template: string, version = 'v1', options: SpecOptions = {}, extra: string[] = []): Record<string, string> =>
  spec('Environment', name, ['  template:', `    name: ${template}`, `    version: ${version}`, ...extra], options);

/** `sharing` lines for a spec body: enabled with the given projects. */
export const sharedWith = (...projects: string[]): string[] => [
  '  sharing:',
  '    enabled: true',
  '    projects:',
  ...projects.map((p) => `    - name: "${p}"`),
];

/**
 * Environment `alpha` (template top) depends on `mid` (template middle), which depends on `zeta`
 * (template bottom): alphabetical order is the reverse of dependency order. No approval gate.
 */
export const dependencyChain = (): Record<string, string> => ({
  ...environmentTemplate('bottom', 'v1', {}, ['  readme: nothing']),
  ...environmentTemplate('middle', 'v1', {}, ['  resources:', '  - kind: environment', '    name: zeta']),
  ...environmentTemplate('top', 'v1', {}, ['  resources:', '  - kind: environment', '    name: mid']),
  ...environment('zeta', 'bottom'),
  ...environment('mid', 'middle'),
  ...environment('alpha', 'top'),
});
