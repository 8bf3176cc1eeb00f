// TypeBox inlines every use of a schema, so a ResourceTemplate (hooks at every provider stage, each
// with container and HTTP options) becomes megabytes of JSON Schema and seconds of validator
// compilation. The shared building blocks are moved into `definitions` and referenced instead.
import type { TSchema } from '@sinclair/typebox';
import { EnvVar, FileEntry, Sharing, Toleration, ValueOptions, Variable, Volume } from './schema/common.js';
import { ContainerOptions, DriverConfig, DriverRef, HttpOptions, KubeOptions } from './schema/drivers.js';
import { Hook } from './schema/hooks.js';

/** A JSON Schema as envsync reads its own: the keywords the spelling and validation code look at. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  if?: JsonSchema;
  then?: JsonSchema;
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  [key: string]: unknown;
}

const SHARED: Record<string, TSchema> = {
  Hook,
  DriverRef,
  DriverConfig,
  ContainerOptions,
  HttpOptions,
  KubeOptions,
  Variable,
  EnvVar,
  FileEntry,
  ValueOptions,
  Volume,
  Toleration,
  Sharing,
};

// TypeBox's Optional() copies the schema object but keeps its `properties` object: that is the
// identity a use shares with its definition.
const nameByProperties = new Map<unknown, string>(Object.entries(SHARED).map(([name, s]) => [s.properties, name]));

export const DEFINITIONS_PREFIX = '#/definitions/';

export function factorSchema(root: TSchema): JsonSchema {
  const definitions: Record<string, unknown> = {};
  const convert = (node: unknown, defining?: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => convert(n));
    if (typeof node !== 'object' || node === null) return node;
    const record = node as Record<string, unknown>;
    const shared = nameByProperties.get(record.properties);
    if (shared && shared !== defining) {
      if (!(shared in definitions)) {
        definitions[shared] = {}; // placeholder first: a definition may refer to itself
        definitions[shared] = convert(SHARED[shared], shared);
      }
      return record.description ? { $ref: DEFINITIONS_PREFIX + shared, description: record.description } : { $ref: DEFINITIONS_PREFIX + shared };
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) out[key] = convert(value);
    return out;
  };
  const schema = convert(root) as JsonSchema;
  return { ...schema, definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/** Follows a local `$ref` to its definition. */
export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith(DEFINITIONS_PREFIX)) return schema;
  const definitions = root.definitions as Record<string, JsonSchema> | undefined;
  return definitions?.[ref.slice(DEFINITIONS_PREFIX.length)] ?? schema;
}
