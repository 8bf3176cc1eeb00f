// Clusters (infra.k8smgmt.io/v3). Only the documented fields of `spec.config` are typed: the rest of
// the provider's config is open, because it follows the cloud provider's own, much larger schema.
import { Type, type Static } from '@sinclair/typebox';
import { Closed, Enum, Open, Sharing, StringMap, Taint, Toleration } from './common.js';

export const CLUSTER_TYPES = ['aws-eks', 'azure-aks', 'mks'] as const;

const BlueprintRef = Closed({ name: Type.String({ minLength: 1 }), version: Type.Optional(Type.String()) });

export const EksConfig = Open({
  metadata: Type.Optional(
    Open({ name: Type.Optional(Type.String()), region: Type.Optional(Type.String()), version: Type.Optional(Type.String()) }),
  ),
  managedNodeGroups: Type.Optional(
    Type.Array(
      Open({
        name: Type.String(),
        amiFamily: Type.Optional(Type.String()),
        instanceType: Type.Optional(Type.String()),
        desiredCapacity: Type.Optional(Type.Integer({ minimum: 0 })),
        minSize: Type.Optional(Type.Integer({ minimum: 0 })),
        maxSize: Type.Optional(Type.Integer({ minimum: 0 })),
        version: Type.Optional(Type.String()),
        volumeSize: Type.Optional(Type.Integer({ minimum: 1 })),
        volumeType: Type.Optional(Type.String()),
        iam: Type.Optional(Open({ withAddonPolicies: Type.Optional(Type.Record(Type.String(), Type.Boolean())) })),
      }),
    ),
  ),
  network: Type.Optional(Open({ cni: Type.Optional(Open({ name: Type.Optional(Type.String()) })) })),
  vpc: Type.Optional(
    Open({
      clusterEndpoints: Type.Optional(
        Open({ privateAccess: Type.Optional(Type.Boolean()), publicAccess: Type.Optional(Type.Boolean()) }),
      ),
      nat: Type.Optional(Open({ gateway: Type.Optional(Type.String()) })),
      subnets: Type.Optional(Open({})),
    }),
  ),
});

export const AksConfig = Open({});

export const MksNode = Open({
  hostname: Type.String(),
  arch: Type.Optional(Type.String()),
  operatingSystem: Type.Optional(Type.String()),
  privateIP: Type.Optional(Type.String({ description: 'Also spelled `privateip`.' })),
  roles: Type.Optional(
    Type.Array(Enum(['ControlPlane', 'Worker', 'Storage'])),
  ),
  labels: Type.Optional(StringMap()),
  taints: Type.Optional(Type.Array(Taint)),
});

export const MksConfig = Open({
  autoApproveNodes: Type.Optional(Type.Boolean()),
  dedicatedControlPlane: Type.Optional(Type.Boolean()),
  kubernetesVersion: Type.Optional(Type.String()),
  location: Type.Optional(Type.String()),
  network: Type.Optional(
    Open({
      cni: Type.Optional(Open({ name: Type.Optional(Type.String()), version: Type.Optional(Type.String()) })),
      podSubnet: Type.Optional(Type.String()),
      serviceSubnet: Type.Optional(Type.String()),
    }),
  ),
  nodes: Type.Optional(Type.Array(MksNode)),
  systemComponentsPlacement: Type.Optional(
    Open({ nodeSelector: Type.Optional(StringMap()), tolerations: Type.Optional(Type.Array(Toleration)) }),
  ),
});

const configByType = { 'aws-eks': EksConfig, 'azure-aks': AksConfig, mks: MksConfig } as const;

export const ClusterSpec = Closed(
  {
    type: Enum(CLUSTER_TYPES),
    blueprintConfig: Type.Optional(BlueprintRef),
    blueprint: Type.Optional(BlueprintRef),
    cloudCredentials: Type.Optional(Type.String()),
    config: Type.Optional(
      Type.Unsafe<Static<typeof EksConfig> | Static<typeof AksConfig> | Static<typeof MksConfig>>({
        type: 'object',
        description: 'Provider config; its documented fields are typed per cluster type.',
      }),
    ),
    proxyConfig: Type.Optional(Open({})),
    sharing: Type.Optional(Sharing),
  },
  {
    // The config's typed fields depend on the cluster type; if/then keeps one schema that editors read too.
    allOf: CLUSTER_TYPES.map((t) => ({
      if: { properties: { type: { const: t } }, required: ['type'] },
      then: { properties: { config: configByType[t] } },
    })),
  },
);
