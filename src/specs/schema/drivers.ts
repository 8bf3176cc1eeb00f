// What runs an activity: container, HTTP and function drivers, and the options hooks pass to them.
import { Type } from '@sinclair/typebox';
import { Closed, Enum, IntOrString, Scalar, Seconds, Sharing, StringMap, Toleration, Volume } from './common.js';

export const SuccessCondition = Type.String({
  description: 'CUE condition, e.g. `if #status.http.statusCode == 200 { success: true }`.',
});

export const KubeOptions = Closed({
  namespace: Type.Optional(Type.String()),
  serviceAccountName: Type.Optional(Type.String()),
  labels: Type.Optional(StringMap()),
  nodeSelector: Type.Optional(StringMap()),
  tolerations: Type.Optional(Type.Array(Toleration)),
  securityContext: Type.Optional(
    Closed({
      privileged: Type.Optional(Type.Boolean()),
      readOnlyRootFileSystem: Type.Optional(Type.Boolean()),
    }),
  ),
});

export const ContainerOptions = Closed({
  image: Type.Optional(Type.String({ description: 'Container image to run.' })),
  commands: Type.Optional(Type.Array(Type.String())),
  arguments: Type.Optional(Type.Array(Type.String())),
  envVars: Type.Optional(StringMap('Environment variables of the container (also spelled `envvars`).')),
  files: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'File name to base64 content.' })),
  workingDirPath: Type.Optional(Type.String()),
  cpuLimitMilli: Type.Optional(IntOrString('CPU limit in millicores.')),
  memoryLimitMb: Type.Optional(IntOrString('Memory limit in MiB (also spelled `memoryLimitMB`).')),
  imagePullCredentials: Type.Optional(
    Closed({
      registry: Type.Optional(Type.String()),
      username: Type.Optional(Type.String()),
      password: Type.Optional(Type.String({ description: 'Secret: masked in every output.' })),
    }),
  ),
  kubeConfigOptions: Type.Optional(
    Closed({
      kubeConfig: Type.Optional(Type.String()),
      outOfCluster: Type.Optional(Type.Boolean()),
    }),
  ),
  kubeOptions: Type.Optional(KubeOptions),
  volumes: Type.Optional(Type.Array(Volume)),
  successCondition: Type.Optional(SuccessCondition),
});

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export const HttpOptions = Closed({
  endpoint: Type.String({ description: 'URL to call.' }),
  method: Type.Optional(Enum(HTTP_METHODS)),
  headers: Type.Optional(StringMap()),
  body: Type.Optional(Scalar()),
  successCondition: Type.Optional(SuccessCondition),
});

export const DRIVER_TYPES = ['container', 'http', 'function'] as const;

export const DriverConfig = Closed(
  {
    type: Enum(DRIVER_TYPES),
    container: Type.Optional(ContainerOptions),
    http: Type.Optional(HttpOptions),
    function: Type.Optional(ContainerOptions),
    maxRetryCount: Type.Optional(Type.Integer({ minimum: 0 })),
    timeoutSeconds: Type.Optional(Seconds('Time allowed for one attempt.')),
    successCondition: Type.Optional(SuccessCondition),
    pollingConfig: Type.Optional(
      Closed({
        repeat: Type.Optional(IntOrString('Interval between polls of a function driver, e.g. `15s`.')),
        until: Type.Optional(IntOrString('Give up polling after this long, e.g. `1h`.')),
      }),
    ),
  },
  {
    allOf: DRIVER_TYPES.map((t) => ({
      if: { properties: { type: { const: t } }, required: ['type'] },
      then: { required: [t] },
    })),
  },
);

export const DriverSpec = Closed({
  config: DriverConfig,
  sharing: Type.Optional(Sharing),
});

/** A driver named by reference to a Driver spec, or given inline under `data`. */
export const DriverRef = Closed({
  name: Type.String({ minLength: 1 }),
  data: Type.Optional(Closed({ config: DriverConfig })),
});
