import { test } from 'vitest';
import { findingsOf, validate, yaml } from '../helpers/repo.js';
const show = (label: string, files: Record<string, string | Uint8Array>, opts = {}) => {
  try { const v = validate(files, opts); console.log(label, JSON.stringify(v.findings.map(x => [x.line, x.column, x.severity, x.code, x.message])), JSON.stringify(v.loaded.specs.map(s => s.data.spec))); } catch (e) { console.log(label, 'THREW', String(e).slice(0, 300)); }
};
const D = 'projects/p/drivers/d.yaml';
const head = (kind: string, name: string) => ['apiVersion: eaas.envmgmt.io/v1', `kind: ${kind}`, 'metadata:', `  name: ${name}`, '  project: p'];
test('x', () => {
  show('envvars', { [D]: yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: container', '    container:', '      image: alpine', '      envvars:', '        envvars: x', '        A: "1"', '      memoryLimitMB: "1024"', '      workingDirPath: /w') });
  show('both', { [D]: yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: container', '    container:', '      envvars:', '        A: "1"', '      envVars:', '        B: "2"') });
  show('envvars-bad', { [D]: yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: container', '    container:', '      image: alpine', '      envvars:', '        A: [x]', '      memoryLimitMB: lots') });
  show('memMB-bad', { [D]: yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: container', '    container:', '      memoryLimitMB: [1]') });
  show('labels', { [D]: yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Driver', 'metadata:', '  name: d', '  project: p', '  labels:', '    envvars: a', '    memoryLimitMB: b', '    openTofu: c', '    privateip: d', 'spec:', '  config:', '    type: http', '    http:', '      endpoint: https://x', '      headers:', '        envvars: y') });
  const v = validate({ [D]: yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Driver', 'metadata:', '  name: d', '  project: p', '  labels:', '    envvars: a', 'spec:', '  config:', '    type: http', '    http:', '      endpoint: https://x') });
  console.log(JSON.stringify(v.loaded.specs[0]!.data));
  const rt = (...po: string[]) => ({ 'projects/p/resourcetemplates/r.yaml': yaml(...head('ResourceTemplate', 'r'), 'spec:', '  version: v1', '  provider: opentofu', '  providerOptions:', ...po) });
  show('openTofu', rt('    openTofu:', '      lock: true', '      timeoutSeconds: later', '      backendType: sytem'));
  show('openTofu-typo', rt('    openTofu:', '      lok: true'));
  show('openTofu-hooks', { 'projects/p/resourcetemplates/r.yaml': yaml(...head('ResourceTemplate', 'r'), 'spec:', '  version: v1', '  provider: opentofu', '  hooks:', '    provider:', '      openTofu:', '        deploy: {}') });
  show('opentofu-envvars-top', { 'projects/p/resourcetemplates/r.yaml': yaml(...head('ResourceTemplate', 'r'), 'spec:', '  version: v1', '  provider: opentofu', '  envvars:', '  - key: A') });
  const cl = (...config: string[]) => ({ 'projects/p/clusters/c.yaml': yaml('apiVersion: infra.k8smgmt.io/v3', 'kind: Cluster', 'metadata:', '  name: c', '  project: p', 'spec:', '  type: mks', '  config:', ...config) });
  show('privateip', cl('    nodes:', '    - hostname: n1', '      privateip: 10.0.0.1', '      arch: amd64', '    - hostname: n2', '      privateip: 5'));
  show('privateip-eks', { 'projects/p/clusters/c.yaml': yaml('apiVersion: infra.k8smgmt.io/v3', 'kind: Cluster', 'metadata:', '  name: c', '  project: p', 'spec:', '  type: aws-eks', '  config:', '    nodes:', '    - privateip: 1') });
  show('hook-envvars', { 'projects/p/environmenttemplates/t.yaml': yaml(...head('EnvironmentTemplate', 't'), 'spec:', '  version: v1', '  hooks:', '    onInit:', '    - name: h', '      type: container', '      options:', '        container:', '          envvars:', '            A: "1"', '          memoryLimitMB: "1024"', '          imge: x') });
});
