// An environment's variables, envs and files against what its template allows.
import { atKey, atValue, error, warning, type PendingFinding } from '../../specs/findings.js';
import type { Environment } from '../../specs/kinds.js';
import { didYouMean } from '../../specs/suggest.js';
import { at, entriesOf, isEmpty, shown, templateDeclarations, type Entry } from '../declarations.js';
import type { Rule } from './context.js';
import { isSecretEntry } from '../secrets.js';

const FIELD_OF = { variable: 'variables', 'environment variable': 'envVars', file: 'files' } as const;

export const checkOverrides: Rule = ({ index, valid }) => {
  const findings: PendingFinding[] = [];
  for (const spec of valid) {
    if (spec.kind.kind !== 'Environment') continue;
    const { template } = (spec.data as unknown as Environment).spec;
    const resolution = index.resolve('EnvironmentTemplate', template.name, spec.project, template.version);
    if (resolution.status !== 'found') continue; // reported by the reference rule
    const declared = templateDeclarations(resolution.spec, index);
    const templateName = `EnvironmentTemplate "${template.name}" version ${template.version}`;
    const given = new Map<string, Entry>();

    for (const entry of entriesOf(spec)) {
      given.set(entry.id, entry);
      const declaration = declared.get(entry.id);
      if (!declaration) {
        const sameCategory = [...declared.values()].filter((d) => d.category === entry.category).map((d) => d.key);
        findings.push(
          warning(
            spec.file,
            'undeclared-override',
            `${templateName} declares no ${entry.category} "${entry.key}", so this value has no effect${didYouMean(entry.key, sameCategory) || ': remove it, or declare it in the template'}`,
            atValue(at(entry, entry.keyField)),
          ),
        );
        continue;
      }
      findings.push(...checkOverride(spec.file, entry, declaration));
    }

    for (const declaration of declared.values()) {
      if (!declaration.options?.required) continue;
      const override = given.get(declaration.id);
      const value = override && override.value !== undefined ? override.value : declaration.value;
      if (!isEmpty(value)) continue;
      const field = FIELD_OF[declaration.category];
      const hasList = Array.isArray((spec.data.spec as Record<string, unknown>)[field]);
      findings.push(
        error(
          spec.file,
          'required-missing',
          `${declaration.category} "${declaration.key}" is required by ${declaration.owner} (${declaration.file}) and has no value: give it one under spec.${field}`,
          override ? atValue(at(override)) : atKey(hasList ? ['spec', field] : ['spec', 'template']),
        ),
      );
    }
  }
  return findings;
};

function checkOverride(file: string, entry: Entry, declaration: Entry): PendingFinding[] {
  const override = declaration.options?.override;
  if (!override || entry.value === undefined) return [];
  const valuePath = at(entry, entry.category === 'file' ? 'data' : 'value');
  if (override.type === 'notallowed' && String(entry.value) !== String(declaration.value ?? '')) {
    return [
      error(
        file,
        'override-not-allowed',
        `${entry.category} "${entry.key}" may not be overridden (override.type: notallowed in ${declaration.owner}, ${declaration.file}): remove this value, or allow overrides in the template`,
        atValue(valuePath),
      ),
    ];
  }
  if (override.type === 'restricted') {
    const allowed = override.restrictedValues ?? [];
    if (!allowed.includes(String(entry.value))) {
      const sensitive = entry.options?.sensitive || declaration.options?.sensitive || isSecretEntry(entry.category, entry.key, undefined);
      const hint = sensitive ? '' : didYouMean(String(entry.value), allowed);
      return [
        error(
          file,
          'override-restricted',
          `${entry.category} "${entry.key}" is ${shown(entry, sensitive ? { sensitive: true } : undefined)}, but ${declaration.owner} restricts it to: ${allowed.map((v) => JSON.stringify(v)).join(', ')}${hint || ': pick one of them'}`,
          atValue(valuePath),
        ),
      ];
    }
  }
  return [];
}

/** A template's own default must obey its own restriction. */
export const checkRestrictedDefaults: Rule = ({ valid }) => {
  const findings: PendingFinding[] = [];
  for (const spec of valid) {
    for (const entry of entriesOf(spec)) {
      const override = entry.options?.override;
      if (override?.type !== 'restricted') continue;
      const allowed = override.restrictedValues ?? [];
      const optionsPath = at(entry, 'options', 'override');
      if (allowed.length === 0) {
        findings.push(error(spec.file, 'restricted-without-values', `${entry.category} "${entry.key}" is restricted but lists no restrictedValues: list the allowed values`, atKey(optionsPath)));
      } else if (!isEmpty(entry.value) && !allowed.includes(String(entry.value))) {
        findings.push(
          error(
            spec.file,
            'restricted-default',
            `${entry.category} "${entry.key}" has the value ${shown(entry, entry.options)}, which is not among its own restrictedValues (${allowed.map((v) => JSON.stringify(v)).join(', ')}): add it there or change the value`,
            atValue(at(entry, entry.category === 'file' ? 'data' : 'value')),
          ),
        );
      }
    }
  }
  return findings;
};
