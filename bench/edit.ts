// System-to-Git: editing one value in a 2,000-line spec file (time, and the size of the diff: the
// changed line only), and the GitHub requests a change set costs for 1 and for 100 files.
import { stringify } from 'yaml';
import jsyaml from 'js-yaml';
import { editYaml } from '../src/specs/edit-yaml.js';
import { lineDiff } from '../src/specs/line-diff.js';
import { deliver } from '../src/flows/sync/deliver.js';
import { OctokitPort, type OctokitLike } from '../src/github/octokit-port.js';
import type { ExportPlan } from '../src/engine/export.js';
import { median, time } from './measure.js';

/** An environment template with enough variables (each with options and a comment) for 2,000 lines. */
function bigTemplate(): string {
  const lines = ['# A large template: 2,000 lines.', 'apiVersion: eaas.envmgmt.io/v1', 'kind: EnvironmentTemplate', 'metadata:', '  name: big', '  project: p', 'spec:', '  version: v1', '  variables:'];
  for (let i = 0; lines.length < 2_000; i++) {
    lines.push(`  # variable ${i}`, `  - name: var_${i}`, `    value: "value-${i}"`, '    valueType: text', '    options:', '      description: A variable', '      override:', '        type: allowed', '');
  }
  return lines.slice(0, 2_000).join('\n') + '\n';
}

export async function benchEdit(): Promise<string> {
  const text = bigTemplate();
  const data = jsyaml.load(text) as { spec: { variables: { value: string }[] } };
  const middle = Math.floor(data.spec.variables.length / 2);
  data.spec.variables[middle]!.value = 'changed';
  let edited = '';
  const times: number[] = [];
  for (let i = 0; i < 15; i++) times.push(time(() => (edited = editYaml(text, data).text)));
  const diff = lineDiff(text, edited);
  const rewriteLines = lineDiff(text, stringify(data)).removed.length;

  const requestsFor = async (count: number) => {
    let requests = 0;
    const octokit: OctokitLike = {
      request: async (route) => {
        requests++;
        if (route.startsWith('GET /repos/{owner}/{repo}/branches/')) return { status: 200, data: { commit: { sha: 's', commit: { tree: { sha: 't' } } } } };
        if (route.startsWith('GET /repos/{owner}/{repo}/pulls')) return { status: 200, data: [] };
        if (route.startsWith('GET /repos/{owner}/{repo}/compare/')) return { status: 200, data: { commits: [] } };
        return { status: 201, data: { sha: 'x', number: 1 } };
      },
    };
    const plan: ExportPlan = {
      files: Array.from({ length: count }, (_, i) => ({ path: `projects/p/environments/e${i}.yaml`, content: 'x\n', resource: { kind: 'Environment', project: 'p', name: `e${i}`, operation: 'Update' as const } })),
      secrets: [],
      rewritten: [],
    };
    await deliver(new OctokitPort(octokit), { repo: { owner: 'o', repo: 'r' }, base: 'main', mode: 'pull-request', plan });
    return requests;
  };
  const one = await requestsFor(1);
  const hundred = await requestsFor(100);

  return `## System-to-Git edits and bot pull requests

| measure | result | target |
| --- | --- | --- |
| edit one value in a ${text.split('\n').length - 1}-line spec file (\`editYaml\`, median of 15) | ${median(times).toFixed(1)} ms | |
| lines changed by that edit | **${diff.removed.length} removed, ${diff.added.length} added** | the changed line only |
| lines a re-serialization of the same document would change | ${rewriteLines} | |
| GitHub requests for a change set of 1 file / 100 files (bot pull request, new branch) | **${one} / ${hundred}** | constant |
`;
}
