// An environment's variables as a form: the fields its template offers (type, allowed values,
// required, default, whether it may be overridden, whether it is a secret), and the environment
// document a filled-in form makes. Pure: the console renders the fields and stores the document.
import type { DocPath } from '../specs/findings.js';
import type { LoadedSpec } from '../specs/load.js';
import { templateDeclarations } from './declarations.js';
import { carriesCredentials, isSecretEntry, sensitiveNamePatterns } from './secrets.js';
import type { SpecIndex } from './spec-index.js';

export interface VariableField {
  name: string;
  valueType: string;
  description?: string;
  required: boolean;
  /** allowed: any value; restricted: one of `allowed`; notallowed: the template's value, shown but not changed. */
  override: 'allowed' | 'restricted' | 'notallowed';
  allowed?: string[];
  /** The template's (or its context's) value, used when the environment gives none (never a secret's). */
  default?: string;
  /** The template gives a value (a secret's too, which `default` does not show). */
  hasTemplateValue: boolean;
  /** A secret: a password input, its value never shown. */
  sensitive: boolean;
  /** The environment's own value (never a secret's); undefined when it gives none. */
  current?: string;
  /** The environment gives a value of its own (for a secret: one is set, not shown). */
  set: boolean;
}

interface VariableEntry {
  name?: unknown;
  value?: unknown;
}

const asText = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The variables of the template an environment uses, as form fields, with `environment`'s own values
 * when it exists. A secret is what the system seals in Git: declared sensitive, named as a credential
 * (the built-in names and the repository's `sensitiveNames`), or a URL with a password in it.
 */
export function variableFields(template: LoadedSpec, index: SpecIndex, environment?: Record<string, unknown>, sensitiveNames: readonly string[] = []): VariableField[] {
  const own = new Map(variablesOf(environment).flatMap((v) => (typeof v.name === 'string' ? [[v.name, v.value] as const] : [])));
  const names = new Set(sensitiveNamePatterns(sensitiveNames));
  return [...templateDeclarations(template, index).values()]
    .filter((d) => d.category === 'variable')
    .map((d): VariableField => {
      const sensitive = isSecretEntry('variable', d.key, d.options, names) || carriesCredentials(d.value) || carriesCredentials(own.get(d.key));
      const override = d.options?.override?.type ?? 'allowed';
      const fallback = asText(d.value);
      const current = own.has(d.key) && !sensitive ? asText(own.get(d.key)) : undefined;
      return {
        name: d.key,
        valueType: d.valueType ?? 'text',
        ...(d.options?.description ? { description: d.options.description } : {}),
        required: d.options?.required === true,
        override,
        ...(override === 'restricted' ? { allowed: (d.options?.override?.restrictedValues ?? []).map((v) => asText(v) ?? '') } : {}),
        ...(fallback !== undefined && !sensitive ? { default: fallback } : {}),
        hasTemplateValue: fallback !== undefined && fallback !== '',
        sensitive,
        ...(current !== undefined ? { current } : {}),
        set: own.has(d.key),
      };
    });
}

function variablesOf(document: Record<string, unknown> | undefined): VariableEntry[] {
  const list = (document?.spec as { variables?: unknown } | undefined)?.variables;
  return Array.isArray(list) ? (list as VariableEntry[]) : [];
}

export interface EnvironmentInput {
  project: string;
  name: string;
  template: { name: string; version: string };
  description?: string;
}

/**
 * The environment document a submitted form makes. A new environment gets the values that differ
 * from the template's; an existing one (`existing`, as stored, secrets in clear) changes only the
 * entries whose value changed, so that its file in Git changes by exactly those lines. An empty
 * field drops the environment's own value (the template's applies), except a secret's: its value is
 * never shown, so empty means unchanged.
 */
export function environmentDocument(input: EnvironmentInput, fields: readonly VariableField[], values: Readonly<Record<string, string>>, existing?: Record<string, unknown>): Record<string, unknown> {
  // Browsers send a text area's line breaks as CR LF: the value typed is the one with LF.
  const valueOf = (name: string) => values[name]!.replace(/\r\n?/g, '\n');
  const document: Record<string, unknown> = existing
    ? structuredClone(existing)
    : { apiVersion: 'eaas.envmgmt.io/v1', kind: 'Environment', metadata: { name: input.name, project: input.project, ...(input.description ? { description: input.description } : {}) }, spec: { template: input.template } };
  const spec = document.spec as Record<string, unknown>;
  let variables = variablesOf(document).map((v) => ({ ...v }));
  for (const field of fields) {
    if (field.override === 'notallowed' || !Object.hasOwn(values, field.name)) continue;
    const value = valueOf(field.name);
    const at = variables.findIndex((v) => v.name === field.name);
    if (value === '') {
      if (at >= 0 && !field.sensitive) variables = variables.filter((_, i) => i !== at);
      continue;
    }
    if (at >= 0) {
      if (asText(variables[at]!.value) !== value) variables[at]!.value = value;
    } else if (value !== field.default || field.required) {
      variables.push({ name: field.name, value });
    }
  }
  if (variables.length > 0) spec.variables = variables;
  else delete spec.variables;
  return document;
}

/** The variable a finding's path in an environment document points into (`spec.variables[i]…`), if any. */
export function variableAt(document: Record<string, unknown>, path: DocPath | undefined): string | undefined {
  if (!path || path[0] !== 'spec' || path[1] !== 'variables' || typeof path[2] !== 'number') return undefined;
  const name = variablesOf(document)[path[2]]?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Required variables the form leaves without a value, none given by the template either: the
 * validator names them on the variables list, the form on the field.
 */
export function missingRequired(fields: readonly VariableField[], values: Readonly<Record<string, string>>): string[] {
  return fields.filter((f) => needsValue(f) && ((Object.hasOwn(values, f.name) ? values[f.name] : undefined) ?? '') === '').map((f) => f.name);
}

/** Whether a field must be filled in: required, and given no value by the template nor (a secret) already set. */
export const needsValue = (field: VariableField): boolean => field.required && field.override !== 'notallowed' && !field.hasTemplateValue && !(field.sensitive && field.set);
