// Schema conformance of one spec, with findings that say which field, what is wrong and what to do.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { atKey, atValue, error, formatPath, type DocPath, type PendingFinding } from './findings.js';
import { closest } from './suggest.js';
import type { KindInfo } from './kinds.js';
import { deref } from './factor-schema.js';
import type { JsonSchema } from './factor-schema.js';

// Most specs are valid: a validator that stops at the first error answers them fastest, and only
// an invalid spec is checked again by one that collects every error with its schema.
const quick = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true });
const thorough = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
const compiled = new Map<object, { quick?: ValidateFunction; thorough?: ValidateFunction }>();

function validatorFor(schema: object, mode: 'quick' | 'thorough'): ValidateFunction {
  let entry = compiled.get(schema);
  if (!entry) compiled.set(schema, (entry = {}));
  return (entry[mode] ??= (mode === 'quick' ? quick : thorough).compile(schema));
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

// Values are described by their type only: the misplaced value may be a secret (a password written
// as a number, say), and findings end up in logs, annotations and comments.
const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'a mapping'
        : typeof value === 'number' && !Number.isInteger(value)
          ? 'a fraction'
          : `a ${typeof value}`;

const typeNames: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function describeTypes(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => typeNames[String(t)] ?? String(t)).join(' or ');
}

/** Where an error is, as a path and as words: asked once per mapping (its 20,000 unknown keys share it). */
type Places = Map<string, { path: DocPath; where: string }>;
function placeOf(places: Places, pointer: string): { path: DocPath; where: string } {
  let place = places.get(pointer);
  if (!place) {
    const path = pointerToPath(pointer);
    places.set(pointer, (place = { path, where: formatPath(path) }));
  }
  return place;
}

function toFinding(file: string, e: ErrorObject, root: JsonSchema | undefined, brief: boolean, places: Places): PendingFinding | undefined {
  const { path, where } = placeOf(places, e.instancePath);
  switch (e.keyword) {
    case 'if':
      return undefined; // the failing `then` branch reports the useful error
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const parent = e.parentSchema as JsonSchema | undefined;
      const known = Object.keys(parent?.properties ?? {});
      const advice = brief ? 'remove it, or check its spelling and indentation' : unknownFieldAdvice(field, path, known, homesOf(field, parent, root));
      return error(file, 'unknown-field', `unknown field "${field}" in ${where}: ${advice}`, atKey([...path, field]));
    }
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      const because = e.schemaPath.includes('/then/') ? ' (the type chosen here needs it)' : '';
      return error(file, 'missing-field', `${where} is missing the required field "${field}"${because}: add it`, atKey(path));
    }
    case 'type':
      return error(file, 'wrong-type', `${where} must be ${describeTypes(e.schema)}, not ${describe(e.data)}`, atValue(path));
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const match = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      const hint = match ? `: did you mean "${match}"?` : '';
      return error(file, 'invalid-value', `${where} must be one of: ${allowed.join(', ')}${hint}`, atValue(path));
    }
    case 'pattern': {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      return error(file, 'invalid-value', `${where} is not valid${description ? `: ${description}` : ''}`, atValue(path));
    }
    case 'minLength':
      return error(file, 'invalid-value', `${where} must not be empty`, atValue(path));
    case 'minimum':
      return error(file, 'invalid-value', `${where} must be at least ${String((e.params as { limit: number }).limit)}`, atValue(path));
    default:
      return error(file, 'invalid-value', `${where} ${e.message ?? 'is invalid'}`, atValue(path));
  }
}

/**
 * The fields of this mapping whose own mappings know `field`: a key written one level too far left
 * (`agents:` at the top where it belongs under `spec`) is a matter of indentation, not of removal.
 * Indexed once per mapping schema: a file of 20,000 unknown keys asks 20,000 times.
 */
function homesOf(field: string, parent: JsonSchema | undefined, root: JsonSchema | undefined): string[] {
  if (!parent) return [];
  // A mapping's schema belongs to one compiled root: the parent alone keys its index.
  let index = homeIndexes.get(parent);
  if (!index) {
    index = new Map();
    for (const [name, child] of Object.entries(parent.properties ?? {})) {
      const resolved = root ? deref(child, root) : child;
      for (const known of Object.keys(resolved.properties ?? {})) index.set(known, [...(index.get(known) ?? []), name]);
    }
    homeIndexes.set(parent, index);
  }
  return index.get(field) ?? [];
}
const homeIndexes = new WeakMap<JsonSchema, Map<string, string[]>>();

function unknownFieldAdvice(field: string, path: DocPath, known: string[], homes: string[]): string {
  if (homes.length > 0) return `check the indentation: \`${field}\` belongs under ${homes.map((h) => `\`${formatPath([...path, h])}\``).join(' or ')}`;
  const match = closest(field, known);
  return match ? `did you mean "${match}"?` : `remove it; known fields here: ${known.join(', ')}`;
}

/** Whether a document conforms to its kind's schema; stops at the first error. */
export function conformsToSchema(kind: KindInfo, data: unknown): boolean {
  return validatorFor(kind.jsonSchema, 'quick')(data);
}

/** Every schema error of a (spelling-normalized) document, as findings. */
export function checkSchema(file: string, kind: KindInfo, data: unknown): PendingFinding[] {
  if (conformsToSchema(kind, data)) return [];
  const validate = validatorFor(kind.jsonSchema, 'thorough');
  validate(data);
  return findingsFromAjv(file, validate.errors ?? [], kind.jsonSchema);
}

/**
 * Unknown fields past this many in one spec get a short advice instead of a suggestion: a file
 * shows its first 100 findings (MAX_FINDINGS_PER_FILE), and computing suggestions for the 20,000
 * it hides cost most of the time of validating it. The schema reports in document order, so the
 * ones shown are the advised ones (but for a spec whose errors the schema visits out of order).
 */
const ADVISED_FINDINGS = 100;

/**
 * Findings from the errors of a validator compiled with allErrors and verbose, one per problem.
 * `root`: the validated schema, when it keeps shared parts under `definitions` (see factor-schema.ts).
 */
export function findingsFromAjv(file: string, errors: readonly ErrorObject[], root?: JsonSchema): PendingFinding[] {
  const findings: PendingFinding[] = [];
  const seen = new Set<string>();
  const places: Places = new Map();
  for (const e of errors) {
    const finding = toFinding(file, e, root, findings.length >= ADVISED_FINDINGS, places);
    if (!finding) continue;
    const key = `${finding.code}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}
