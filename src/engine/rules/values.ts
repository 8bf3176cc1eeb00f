// Values that must parse: JSON for `valueType: json`, the documented `$(...)$` forms for expressions.
// An environment's value is read with its template's declaration: the valueType and the
// sensitivity declared there apply when the environment does not repeat them.
import { atValue, error, type DocPath, type PendingFinding } from '../../specs/findings.js';
import type { Environment, EnvironmentTemplate } from '../../specs/kinds.js';
import type { LoadedSpec } from '../../specs/load.js';
import { didYouMean } from '../../specs/suggest.js';
import type { SpecIndex } from '../spec-index.js';
import { parseExpressions } from '../expressions.js';
import { at, entriesOf, templateDeclarations, type Entry } from '../declarations.js';
import type { Rule } from './context.js';
import { isSecretEntry } from '../secrets.js';

export const checkValues: Rule = ({ index, valid }) => {
  const findings: PendingFinding[] = [];
  for (const spec of valid) {
    const entries = entriesOf(spec);
    if (!entries.some((e) => e.category === 'variable')) continue;
    const template = templateOf(spec, index);
    const declared = template && spec.kind.kind === 'Environment' ? templateDeclarations(template, index) : undefined;
    const resources = template ? resourceNames(template) : undefined;
    for (const variable of entries) {
      if (variable.category !== 'variable') continue;
      const declaration = declared?.get(variable.id);
      const valueType = variable.valueType ?? declaration?.valueType;
      const sensitive = isSecretEntry('variable', variable.key, variable.options) || Boolean(declaration?.options?.sensitive);
      const path = at(variable, 'value');
      if (valueType === 'json' && typeof variable.value === 'string') {
        try {
          JSON.parse(variable.value);
        } catch (e) {
          // JSON.parse quotes the input in its message: keep that out when the value is sensitive.
          const reason = sensitive ? 'it is not valid JSON' : (e as Error).message;
          findings.push(
            error(spec.file, 'invalid-json', `variable "${variable.key}" has valueType json but its value does not parse: ${reason}; write valid JSON (strings in double quotes, e.g. ["latest"]) or change valueType`, atValue(path)),
          );
        }
      }
      if (valueType === 'expression' && variable.value !== undefined) {
        findings.push(...checkExpression(spec.file, variable, sensitive, path, resources));
      }
    }
  }
  return findings;
};

function checkExpression(file: string, variable: Entry, sensitive: boolean, path: DocPath, resources: ReadonlySet<string> | undefined): PendingFinding[] {
  const parsed = parseExpressions(typeof variable.value === 'string' ? variable.value : '');
  if (parsed.problems.length > 0) {
    const problems = sensitive ? ['the value is not a supported expression'] : parsed.problems;
    return problems.map((problem) =>
      error(file, 'invalid-expression', `variable "${variable.key}": ${problem}; use $(environment.name)$, $(resource."NAME".output.KEY.value)$ or $(#environment["NAME"]["KEY"])$`, atValue(path)),
    );
  }
  if (!resources) return [];
  const findings: PendingFinding[] = [];
  for (const ref of parsed.references) {
    if (ref.kind === 'resource' && !resources.has(ref.resource)) {
      const hint = didYouMean(ref.resource, resources) || `: the template's resources are ${[...resources].join(', ') || 'none'}`;
      findings.push(error(file, 'expression-unknown-resource', `variable "${variable.key}" reads the output of resource "${ref.resource}", which the environment template does not contain${hint}`, atValue(path)));
    }
  }
  return findings;
}

const resourceNamesCache = new WeakMap<LoadedSpec, ReadonlySet<string>>();

function resourceNames(template: LoadedSpec): ReadonlySet<string> {
  let names = resourceNamesCache.get(template);
  if (!names) {
    names = new Set(((template.data as unknown as EnvironmentTemplate).spec.resources ?? []).map((r) => r.name));
    resourceNamesCache.set(template, names);
  }
  return names;
}

/** The environment template a spec's expressions are evaluated in, when there is exactly one. */
function templateOf(spec: LoadedSpec, index: SpecIndex): LoadedSpec | undefined {
  if (spec.kind.kind === 'EnvironmentTemplate') return spec;
  if (spec.kind.kind !== 'Environment') return undefined;
  const { template } = (spec.data as unknown as Environment).spec;
  const resolution = index.resolve('EnvironmentTemplate', template.name, spec.project, template.version);
  return resolution.status === 'found' ? resolution.spec : undefined;
}
