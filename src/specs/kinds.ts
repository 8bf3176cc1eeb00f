// The registry of spec kinds: apiVersion, folder name and document schema of each.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Closed, Metadata, StringMap } from './schema/common.js';
import { DriverSpec } from './schema/drivers.js';
import {
  ConfigContextSpec,
  EnvironmentSpec,
  EnvironmentTemplateSpec,
  ResourceSpec,
  ResourceTemplateSpec,
} from './schema/environment.js';
import { ClusterSpec } from './schema/cluster.js';
import { factorSchema } from './factor-schema.js';
import type { JsonSchema } from './factor-schema.js';

const document = <A extends string, K extends string, S extends TSchema>(apiVersion: A, kind: K, spec: S) =>
  Closed(
    {
      apiVersion: Type.Literal(apiVersion),
      kind: Type.Literal(kind),
      metadata: Metadata,
      spec,
    },
    { $id: `${kind}`, title: `${kind} (${apiVersion})` },
  );

const EAAS = 'eaas.envmgmt.io/v1';
const INFRA = 'infra.k8smgmt.io/v3';
const SYSTEM = 'system.k8smgmt.io/v3';

export const DriverDocument = document(EAAS, 'Driver', DriverSpec);
export const ConfigContextDocument = document(EAAS, 'ConfigContext', ConfigContextSpec);
export const ResourceDocument = document(EAAS, 'Resource', ResourceSpec);
export const ResourceTemplateDocument = document(EAAS, 'ResourceTemplate', ResourceTemplateSpec);
export const EnvironmentTemplateDocument = document(EAAS, 'EnvironmentTemplate', EnvironmentTemplateSpec);
export const EnvironmentDocument = document(EAAS, 'Environment', EnvironmentSpec);
export const ClusterDocument = document(INFRA, 'Cluster', ClusterSpec);

/** A project is the folder every other spec lives in; it has no `metadata.project` of its own. */
export const ProjectDocument = Closed(
  {
    apiVersion: Type.Literal(SYSTEM),
    kind: Type.Literal('Project'),
    metadata: Closed({
      name: Type.String(),
      description: Type.Optional(Type.String()),
      displayName: Type.Optional(Type.String()),
      labels: Type.Optional(StringMap()),
      annotations: Type.Optional(StringMap()),
    }),
    spec: Type.Optional(Closed({ default: Type.Optional(Type.Boolean()) })),
  },
  { $id: 'Project', title: `Project (${SYSTEM})` },
);

export interface KindInfo {
  kind: KindName;
  apiVersion: string;
  /** Folder name under projects/<project>/ (the vendor's lowercase plural). */
  plural: string;
  /** Templates carry versions; environments pin one. */
  versioned: boolean;
  /** The TypeBox definition (the source of the TypeScript types). */
  schema: TSchema;
  /** The same schema as plain JSON Schema with shared parts under `definitions`: what validators use. */
  jsonSchema: JsonSchema;
  /** Whether some object accepts unknown fields (Cluster config): a variant spelling there passes the schema. */
  hasOpenObjects: boolean;
}

const info = (kind: KindName, apiVersion: string, plural: string, schema: TSchema, versioned = false): KindInfo => {
  const jsonSchema = factorSchema(schema);
  return {
    kind,
    apiVersion,
    plural,
    versioned,
    schema,
    jsonSchema,
    hasOpenObjects: JSON.stringify(jsonSchema).includes('"additionalProperties":true'),
  };
};

export type KindName =
  | 'Driver'
  | 'ConfigContext'
  | 'Resource'
  | 'ResourceTemplate'
  | 'EnvironmentTemplate'
  | 'Environment'
  | 'Cluster'
  | 'Project';

export const KINDS: readonly KindInfo[] = [
  info('Driver', EAAS, 'drivers', DriverDocument),
  info('ConfigContext', EAAS, 'configcontexts', ConfigContextDocument),
  info('Resource', EAAS, 'resources', ResourceDocument),
  info('ResourceTemplate', EAAS, 'resourcetemplates', ResourceTemplateDocument, true),
  info('EnvironmentTemplate', EAAS, 'environmenttemplates', EnvironmentTemplateDocument, true),
  info('Environment', EAAS, 'environments', EnvironmentDocument),
  info('Cluster', INFRA, 'clusters', ClusterDocument),
  info('Project', SYSTEM, 'projects', ProjectDocument),
];

export const KIND_BY_NAME = new Map(KINDS.map((k) => [k.kind, k]));
export const KIND_BY_PLURAL = new Map(KINDS.filter((k) => k.kind !== 'Project').map((k) => [k.plural, k]));

export type Driver = Static<typeof DriverDocument>;
export type ConfigContext = Static<typeof ConfigContextDocument>;
export type Resource = Static<typeof ResourceDocument>;
export type ResourceTemplate = Static<typeof ResourceTemplateDocument>;
export type EnvironmentTemplate = Static<typeof EnvironmentTemplateDocument>;
export type Environment = Static<typeof EnvironmentDocument>;
export type Cluster = Static<typeof ClusterDocument>;
export type Project = Static<typeof ProjectDocument>;
export type AnySpec = Driver | ConfigContext | Resource | ResourceTemplate | EnvironmentTemplate | Environment | Cluster | Project;
