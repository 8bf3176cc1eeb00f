// Building blocks shared by every spec kind. TypeBox gives us the JSON Schema and the TypeScript
// type from one definition, so the validator, the editor schemas and the code never disagree.
import { Type, type TProperties, type ObjectOptions } from '@sinclair/typebox';

/** A closed object: an unknown field is a finding (catching typos is a main reason to validate). */
export const Closed = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

/** An object whose documented fields are typed and whose other fields are accepted as they are. */
export const Open = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: true, ...options });

/** YAML writes `"512"` and `512` interchangeably for numeric settings; both mean the same. */
export const IntOrString = (description?: string) =>
  Type.Unsafe<number | string>({
    type: ['integer', 'string'],
    ...(description ? { description } : {}),
  });

/** Any YAML scalar: header values such as `X-TOKEN: 1234` arrive as numbers. */
export const Scalar = (description?: string) =>
  Type.Unsafe<string | number | boolean>({
    type: ['string', 'number', 'boolean'],
    ...(description ? { description } : {}),
  });

/** One of fixed strings, as a JSON Schema `enum` (a union of literals would report one error per branch). */
export const Enum = <const T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const StringMap = (description?: string) =>
  Type.Record(Type.String(), Scalar(), description ? { description } : {});

export const Seconds = (description: string) => Type.Integer({ minimum: 0, description });

export const NameRef = (description: string) => Closed({ name: Type.String({ minLength: 1 }) }, { description });

export const NameRefList = (description: string) => Type.Array(NameRef(description), { description });

export const Metadata = Closed(
  {
    name: Type.String({ description: 'Resource name: lowercase letters, digits and dashes.' }),
    project: Type.String({ description: 'Project the resource belongs to.' }),
    description: Type.Optional(Type.String()),
    displayName: Type.Optional(Type.String()),
    labels: Type.Optional(StringMap()),
    annotations: Type.Optional(StringMap()),
  },
  { description: 'Identity of the spec; name and project must match the file path.' },
);

export const Sharing = Closed(
  {
    enabled: Type.Optional(Type.Boolean()),
    projects: Type.Optional(NameRefList('Projects this resource is shared with; `*` shares with all.')),
  },
  { description: 'Which other projects may use this resource.' },
);

export const OverrideOptions = Closed({
  type: Enum(['allowed', 'notallowed', 'restricted'], 'Whether an environment may override the value: allowed, notallowed, or restricted to restrictedValues.'),
  restrictedValues: Type.Optional(Type.Array(Type.String())),
});

export const ValueOptions = Closed({
  description: Type.Optional(Type.String()),
  sensitive: Type.Optional(Type.Boolean({ description: 'Masked in every output, never written in clear.' })),
  required: Type.Optional(Type.Boolean({ description: 'Must end up with a value in every environment.' })),
  override: Type.Optional(OverrideOptions),
  displayMetadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const VALUE_TYPES = ['text', 'hcl', 'json', 'expression'] as const;

export const Variable = Closed({
  name: Type.String({ minLength: 1 }),
  value: Type.Optional(Scalar()),
  valueType: Type.Optional(
    Enum(VALUE_TYPES, 'text, hcl, json (must parse) or expression (`$(...)$` forms).'),
  ),
  options: Type.Optional(ValueOptions),
});

export const EnvVar = Closed({
  key: Type.String({ minLength: 1 }),
  value: Type.Optional(Scalar()),
  options: Type.Optional(ValueOptions),
});

export const FileEntry = Closed({
  name: Type.Optional(Type.String({ minLength: 1 })),
  mountPath: Type.Optional(Type.String({ minLength: 1 })),
  data: Type.Optional(Type.String({ description: 'Base64 file content; treated as secret in every output.' })),
  options: Type.Optional(ValueOptions),
});

export const Volume = Closed({
  mountPath: Type.String(),
  enableBackupAndRestore: Type.Optional(Type.Boolean()),
  usePVC: Type.Optional(Type.Boolean()),
  pvcSizeGB: Type.Optional(IntOrString()),
  pvcStorageClass: Type.Optional(Type.String()),
});

export const Toleration = Closed({
  key: Type.Optional(Type.String()),
  operator: Type.Optional(Enum(['Equal', 'Exists'])),
  value: Type.Optional(Type.String()),
  effect: Type.Optional(
    Enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  ),
  tolerationSeconds: Type.Optional(Type.Integer()),
});

export const Taint = Closed({
  key: Type.String(),
  value: Type.Optional(Type.String()),
  effect: Enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

/** Strict name of a resource: it becomes a file name and a path segment, so no dots, slashes or `..`. */
export const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const RESOURCE_NAME_MAX = 63;

/** A template version: it becomes part of a file name (`<name>@<version>.yaml`), so no `/` and no `..`. */
export const VERSION = /^[A-Za-z0-9](?:[A-Za-z0-9_+-]|\.(?!\.))*$/;
