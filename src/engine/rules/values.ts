// Values that must parse: JSON for `valueType: json`, the documented `$(...)$` forms for expressions.
import { atValue, error, type PendingFinding } from '../../specs/findings.js';
import type { Environment, EnvironmentTemplate } from '../../specs/kinds.js';
import type { LoadedSpec } from '../../specs/load.js';
import { didYouMean } from '../../specs/suggest.js';
import type { SpecIndex } from '../spec-index.js';
import { parseExpressions } from '../expressions.js';
import type { Rule } from './context.js';

interface VariableValue {
  name: string;
  value?: unknown;
  valueType?: string;
  options?: { sensitive?: boolean };
}

export const checkValues: Rule = ({ index, valid }) => {
  const findings: PendingFinding[] = [];
  for (const spec of valid) {
    const variables = (spec.data.spec as { variables?: VariableValue[] } | undefined)?.variables;
    if (!Array.isArray(variables)) continue;
    const resources = templateResources(spec, index);
    variables.forEach((variable, i) => {
      const path = ['spec', 'variables', i, 'value'];
      if (variable.valueType === 'json' && typeof variable.value === 'string') {
        try {
          JSON.parse(variable.value);
        } catch (e) {
          // JSON.parse quotes the input in its message: keep that out when the value is sensitive.
          const reason = variable.options?.sensitive ? 'it is not valid JSON' : (e as Error).message;
          findings.push(
            error(spec.file, 'invalid-json', `variable "${variable.name}" has valueType json but its value does not parse: ${reason}; write valid JSON (strings in double quotes, e.g. ["latest"]) or change valueType`, atValue(path)),
          );
        }
      }
      if (variable.valueType === 'expression') {
        findings.push(...checkExpression(spec.file, variable, path, resources));
      }
    });
  }
  return findings;
};

function checkExpression(file: string, variable: VariableValue, path: (string | number)[], resources: Set<string> | undefined): PendingFinding[] {
  const text = typeof variable.value === 'string' ? variable.value : '';
  const parsed = parseExpressions(text);
  if (parsed.problems.length > 0) {
    return parsed.problems.map((problem) =>
      error(file, 'invalid-expression', `variable "${variable.name}": ${problem}; use $(environment.name)$, $(resource."NAME".output.KEY.value)$ or $(#environment["NAME"]["KEY"])$`, atValue(path)),
    );
  }
  if (!resources) return [];
  const findings: PendingFinding[] = [];
  for (const ref of parsed.references) {
    if (ref.kind === 'resource' && !resources.has(ref.resource)) {
      const hint = didYouMean(ref.resource, resources) || `: the template's resources are ${[...resources].join(', ') || 'none'}`;
      findings.push(error(file, 'expression-unknown-resource', `variable "${variable.name}" reads the output of resource "${ref.resource}", which the environment template does not contain${hint}`, atValue(path)));
    }
  }
  return findings;
}

/** The resource names an expression in this spec may name, when the spec is tied to one template. */
function templateResources(spec: LoadedSpec, index: SpecIndex): Set<string> | undefined {
  if (spec.kind.kind === 'EnvironmentTemplate') {
    return new Set(((spec.data as unknown as EnvironmentTemplate).spec.resources ?? []).map((r) => r.name));
  }
  if (spec.kind.kind === 'Environment') {
    const { template } = (spec.data as unknown as Environment).spec;
    const resolution = index.resolve('EnvironmentTemplate', template.name, spec.project, template.version);
    if (resolution.status !== 'found') return undefined;
    return new Set(((resolution.spec.data as unknown as EnvironmentTemplate).spec.resources ?? []).map((r) => r.name));
  }
  return undefined;
}
