// The environment-manager kinds (eaas.envmgmt.io/v1): what templates, contexts and environments hold.
import { Type } from '@sinclair/typebox';
import { Closed, Enum, EnvVar, FileEntry, NameRef, NameRefList, Seconds, Sharing, Variable, VERSION, Volume } from './common.js';
import { DriverRef } from './drivers.js';
import { EnvironmentHooks, HookList, PROVIDERS, ResourceHooks } from './hooks.js';

const agents = Type.Optional(NameRefList('Agents (runner labels) that may execute the activities.'));
const contexts = Type.Optional(NameRefList('Config contexts whose variables, envs and files are merged in.'));
const variables = Type.Optional(Type.Array(Variable));
/** The values a template, environment or static resource carries (a config context names envs `envs`). */
const values = {
  variables,
  envVars: Type.Optional(Type.Array(EnvVar)),
  files: Type.Optional(Type.Array(FileEntry)),
};
const sharing = Type.Optional(Sharing);
const VERSION_HELP = 'letters, digits, ".", "_", "+" and "-" (it becomes part of a file name)';
const version = Type.String({ minLength: 1, pattern: VERSION.source, description: `Version of this template; environments pin it: ${VERSION_HELP}.` });
const pinnedVersion = Type.String({ minLength: 1, pattern: VERSION.source, description: `A template version: ${VERSION_HELP}.` });
const versionState = Type.Optional(
  Enum(['draft', 'active', 'disabled']),
);

const iacOptions = {
  lock: Type.Optional(Type.Boolean()),
  lockTimeoutSeconds: Type.Optional(Seconds('How long to wait for the state lock.')),
  pluginDirs: Type.Optional(Type.Array(Type.String())),
  refresh: Type.Optional(Type.Boolean()),
  timeoutSeconds: Type.Optional(Seconds('Time allowed for each stage.')),
  varFiles: Type.Optional(Type.Array(Type.String())),
  volumes: Type.Optional(Type.Array(Volume)),
};

export const OpenTofuOptions = Closed({
  ...iacOptions,
  backendType: Type.Optional(
    Enum(['system', 'custom'], 'Where state lives: `system` (managed) or `custom` with backendConfigs.'),
  ),
  backendConfigs: Type.Optional(Type.Array(Type.String(), { description: 'Passed as -backend-config=...' })),
  version: Type.Optional(Type.String({ description: 'OpenTofu version: 1.6.2, 1.7.2 or latest.' })),
});

export const HcpTerraformOptions = Closed(iacOptions);

export const ResourceTemplateSpec = Closed({
  version,
  versionState,
  provider: Enum(PROVIDERS, 'opentofu, hcpterraform or custom.'),
  providerOptions: Type.Optional(
    Closed({
      driver: Type.Optional(DriverRef),
      opentofu: Type.Optional(OpenTofuOptions),
      hcpterraform: Type.Optional(HcpTerraformOptions),
      custom: Type.Optional(Closed({ tasks: HookList })),
    }),
  ),
  repositoryOptions: Type.Optional(
    Closed({
      name: Type.String({ minLength: 1 }),
      branch: Type.Optional(Type.String()),
      directoryPath: Type.Optional(Type.String()),
    }),
  ),
  artifactDriver: Type.Optional(DriverRef),
  agents,
  contexts,
  hooks: Type.Optional(ResourceHooks),
  ...values,
  sharing,
});

export const TEMPLATE_RESOURCE_KINDS = ['resourcetemplate', 'resource', 'environment'] as const;

export const TemplateResource = Closed({
  kind: Enum(TEMPLATE_RESOURCE_KINDS),
  name: Type.String({ minLength: 1 }),
  type: Type.Optional(Enum(['dynamic', 'static'])),
  resourceOptions: Type.Optional(
    Closed({
      version: Type.Optional(pinnedVersion),
      dedicated: Type.Optional(Type.Boolean()),
    }),
  ),
  dependsOn: Type.Optional(Type.Array(NameRef('A resource of the same template.'))),
});

export const EnvironmentTemplateSpec = Closed({
  version,
  versionState,
  iconURL: Type.Optional(Type.String()),
  readme: Type.Optional(Type.String()),
  resources: Type.Optional(Type.Array(TemplateResource)),
  agents,
  contexts,
  hooks: Type.Optional(EnvironmentHooks),
  ...values,
  sharing,
});

export const EnvironmentSpec = Closed({
  template: Closed({
    name: Type.String({ minLength: 1 }),
    version: pinnedVersion,
  }),
  agents,
  ...values,
  sharing,
});

export const ResourceSpec = Closed({
  ...values,
  sharing,
});

export const ConfigContextSpec = Closed({
  envs: Type.Optional(Type.Array(EnvVar)),
  files: Type.Optional(Type.Array(FileEntry)),
  variables,
  sharing,
});
