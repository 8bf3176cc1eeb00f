// Checks a request (and the answer a test gives to it) against GitHub's own REST description, the
// api.github.com OpenAPI document that @octokit/openapi ships: the operation must exist, its path and
// query parameters must be ones it takes, and a JSON body must validate against its request schema
// (ajv, with the whole document loaded once so that `#/components/...` references resolve) and hold
// no field the schema does not name. Each check returns the problems it found, none when all is well.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

/** The parts of an OpenAPI 3.0 schema the checks read. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}

interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  'x-multi-segment'?: boolean;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}

interface Description {
  paths: Record<string, Record<string, Operation | Parameter[]> & { parameters?: Parameter[] }>;
}

/** The key the description is added to ajv under: `${DOC}#/json/pointer` names any schema in it. */
const DOC = 'github';

/** A JSON pointer's token: `/` and `~` escaped. */
const token = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** A path template as a pattern: a parameter is one segment, or several where GitHub says so (x-multi-segment). */
interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
}

let loaded: { doc: Description; ajv: Ajv; routes: Route[]; compiled: Map<string, ValidateFunction> } | undefined;

/** The description, parsed and added to ajv once per test file (it is 13 MB). */
function description() {
  if (loaded) return loaded;
  const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Description;
  // strict: false, for the OpenAPI keywords that are not JSON Schema (example, discriminator, x-*).
  // ajv-formats is not installed: formats (date-time, uri) are not checked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, DOC);
  const routes = Object.keys(doc.paths).map((template): Route => {
    const names: string[] = [];
    const source = template.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
      if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(name);
      const multi = Object.values(doc.paths[template]!).some((op) => parametersOf(doc, op as Operation).some((p) => p.name === name && p['x-multi-segment']));
      return multi ? '(.+)' : '([^/]+)';
    });
    return { template, pattern: new RegExp(`^${source}$`), names };
  });
  loaded = { doc, ajv, routes, compiled: new Map() };
  return loaded;
}

/** The value a `#/...` pointer names in the description. */
function at(doc: Description, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, t) => (node as Record<string, unknown>)[t.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function deref<T extends { $ref?: string }>(doc: Description, node: T): T {
  return node.$ref ? deref(doc, at(doc, node.$ref) as T) : node;
}

function parametersOf(doc: Description, op: Operation): Parameter[] {
  return (op.parameters ?? []).map((p) => deref(doc, p));
}

/** An ajv validator of the schema at `pointer` in the description, compiled once. */
function validator(pointer: string): ValidateFunction {
  const { ajv, compiled } = description();
  let validate = compiled.get(pointer);
  if (!validate) compiled.set(pointer, (validate = ajv.compile({ $ref: `${DOC}${pointer}` })));
  return validate;
}

const errorsOf = (validate: ValidateFunction, where: string) => (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? e.keyword}`);

/** The operation of `method` whose path template matches `path`, the most specific one (`/pulls/comments` before `/pulls/{pull_number}`). */
function operationOf(method: string, path: string) {
  const { doc, routes } = description();
  const verb = method.toLowerCase();
  const matches = routes
    .filter((r) => doc.paths[r.template]?.[verb] && r.pattern.test(path))
    .sort((a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length);
  const route = matches[0];
  if (!route) return undefined;
  const values = route.pattern.exec(path)!.slice(1).map((v) => decodeURIComponent(v));
  return { route, verb, operation: doc.paths[route.template]![verb] as Operation, pathValues: new Map(route.names.map((n, i) => [n, values[i]!])) };
}

/** A parameter's text as the type its schema says, so that ajv (which does not coerce here) can check it. */
function typed(doc: Description, schema: Schema | undefined, text: string): unknown {
  const type = schema && deref(doc, schema).type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/**
 * What is wrong with a request by GitHub's description: `url` is the request's (absolute, or a path
 * with its query), `body` its parsed JSON body or undefined. An empty list when nothing is.
 */
export function checkRequest(method: string, url: string, body: unknown): string[] {
  const { doc } = description();
  const { pathname, searchParams } = new URL(url, 'https://api.github.com');
  const found = operationOf(method, pathname);
  if (!found) return [`${method} ${pathname}: no such operation in GitHub's REST description`];
  const { route, verb, operation, pathValues } = found;
  const name = `${method} ${route.template}`;
  const problems: string[] = [];
  // Path-level parameters first, then the operation's own; a pointer to each one's schema for ajv.
  const declared = [
    ...(doc.paths[route.template]!.parameters ?? []).map((p, i) => ({ p, pointer: p.$ref ?? `#/paths/${token(route.template)}/parameters/${i}` })),
    ...(operation.parameters ?? []).map((p, i) => ({ p, pointer: p.$ref ?? `#/paths/${token(route.template)}/${verb}/parameters/${i}` })),
  ].map(({ p, pointer }) => ({ param: deref(doc, p), pointer: `${pointer}/schema` }));
  const checkValue = (param: Parameter, pointer: string, text: string) => {
    if (!param.schema) return;
    const validate = validator(pointer);
    if (!validate(typed(doc, param.schema, text))) problems.push(...errorsOf(validate, `${name}: ${param.in} parameter ${param.name}`));
  };
  for (const { param, pointer } of declared) {
    if (param.in === 'path') {
      const value = pathValues.get(param.name);
      if (!value) problems.push(`${name}: path parameter ${param.name} is empty`);
      else checkValue(param, pointer, value);
    }
    if (param.in === 'query' && param.required && !searchParams.has(param.name)) problems.push(`${name}: required query parameter ${param.name} is missing`);
  }
  for (const [key, value] of searchParams) {
    const known = declared.find(({ param }) => param.in === 'query' && param.name === key);
    if (!known) problems.push(`${name}: unknown query parameter ${key}`);
    else checkValue(known.param, known.pointer, value);
  }
  problems.push(...checkBody(name, route.template, verb, operation, body));
  return problems;
}

/** The request body against the operation's JSON schema: valid, and with no field the schema does not name. */
function checkBody(name: string, template: string, verb: string, operation: Operation, body: unknown): string[] {
  const { doc } = description();
  if (!operation.requestBody) return body === undefined ? [] : [`${name}: takes no body, but one was sent`];
  const requestBody = deref(doc, operation.requestBody);
  if (body === undefined) return requestBody.required ? [`${name}: a body is required`] : [];
  const schema = requestBody.content?.['application/json']?.schema;
  if (!schema) return [`${name}: takes no JSON body`];
  const pointer = `${operation.requestBody.$ref ?? `#/paths/${token(template)}/${verb}/requestBody`}/content/application~1json/schema`;
  const validate = validator(pointer);
  return [...(validate(body) ? [] : errorsOf(validate, `${name}: body`)), ...strays(doc, schema, body, `${name}: body`, false)];
}

/**
 * Whether an answer a test gives is one GitHub could give: a status the operation describes (any
 * error status is: GitHub answers 404 to anything hidden), and a JSON body whose fields the
 * response schema names, with the types it gives them. Fields may be left out (tests give what the
 * code reads); non-JSON answers (raw files, archives) are not checked.
 */
export function checkResponse(method: string, url: string, status: number, body: unknown): string[] {
  const { doc } = description();
  const { pathname } = new URL(url, 'https://api.github.com');
  const found = operationOf(method, pathname);
  if (!found) return [`${method} ${pathname}: no such operation in GitHub's REST description`];
  const name = `${method} ${found.route.template}`;
  const json = Array.isArray(body) || (typeof body === 'object' && body !== null && Object.getPrototypeOf(body) === Object.prototype);
  // An archive or a raw file: what Octokit read at the end of GitHub's redirect, or a raw media type.
  if (!json) return [];
  const described = found.operation.responses[String(status)];
  if (!described) return status >= 400 ? [] : [`${name}: GitHub does not describe a ${status} answer`];
  const schema = deref(doc, described).content?.['application/json']?.schema;
  if (schema) return strays(doc, schema, body, `${name}: ${status} answer`, true);
  // GitHub's errors all come with a message, described or not (a 404 often is not).
  return status >= 400 ? [] : [`${name}: GitHub describes no JSON body for a ${status} answer`];
}

/**
 * The field names an object of `schema` may have (those of all its branches), or 'any' where it may
 * have any: a map (additionalProperties a schema), or an object whose fields are not described. A
 * branch that only constrains (`{ required: [...] }`, or properties with `additionalProperties: true`,
 * as GitHub writes the branches of "conclusion is required when completed") opens nothing.
 */
function fieldsOf(doc: Description, schema: Schema, root = true): Set<string> | 'any' {
  const s = deref(doc, schema);
  if (typeof s.additionalProperties === 'object') return 'any';
  const parts = [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (!s.properties && parts.length === 0) {
    const free = root || s.type === 'object' || s.additionalProperties === true;
    return free && (s.type === undefined || s.type === 'object') ? 'any' : new Set();
  }
  const names = new Set(Object.keys(s.properties ?? {}));
  for (const part of parts) {
    const more = fieldsOf(doc, part, false);
    if (more === 'any') return 'any';
    more.forEach((n) => names.add(n));
  }
  return names;
}

const isType = (value: unknown, type: string) =>
  type === 'integer' ? Number.isInteger(value) : type === 'array' ? Array.isArray(value) : type === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) : typeof value === type;

/**
 * Where `value` strays from `schema`: fields it does not name (ajv lets them pass, GitHub ignores
 * them), and with `types` values of another type or outside an enum. `fields` is false inside a
 * branch of allOf/anyOf/oneOf, whose object the caller checks against the fields of all branches.
 */
function strays(doc: Description, schema: Schema, value: unknown, where: string, types: boolean, fields = true): string[] {
  const s = deref(doc, schema);
  const choices = s.anyOf ?? s.oneOf;
  if (value === null && (s.nullable || !types || (!choices && s.type === undefined))) return [];
  const out: string[] = [];
  if (choices) {
    const tried = choices.map((c) => strays(doc, c, value, where, types, false));
    if (!tried.some((t) => t.length === 0)) out.push(...tried.reduce((a, b) => (b.length < a.length ? b : a)));
  }
  for (const part of s.allOf ?? []) out.push(...strays(doc, part, value, where, types, false));
  if (value === null) return s.type === undefined ? out : [...out, `${where} is null, not ${String(s.type)}`];
  if (types && s.type !== undefined && ![s.type].flat().some((t) => isType(value, t))) return [...out, `${where} is ${JSON.stringify(value)}, not ${String(s.type)}`];
  if (types && s.enum && !s.enum.includes(value)) out.push(`${where} is ${JSON.stringify(value)}, not one of ${JSON.stringify(s.enum)}`);
  if (Array.isArray(value) && s.items) value.forEach((v, i) => out.push(...strays(doc, s.items!, v, `${where}[${i}]`, types)));
  if (typeof value === 'object' && !Array.isArray(value)) {
    const known = fields ? fieldsOf(doc, s) : 'any';
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (sub) out.push(...strays(doc, sub, v, `${where}.${key}`, types));
      else if (known !== 'any' && !known.has(key)) out.push(`${where}.${key} is not a field GitHub describes`);
    }
  }
  return out;
}
