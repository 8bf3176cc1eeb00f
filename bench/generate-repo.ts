// Generates a consistent config repository of N specs shaped like the reference examples
// (hooks, provider options, variables with every option), deterministic for a given N.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PER_PROJECT = {
  drivers: 4,
  configcontexts: 4,
  resources: 10,
  resourcetemplates: 60,
  environmenttemplates: 20,
  environments: 99,
  clusters: 2,
} as const;
// With the Project spec itself, a project holds 200 specs.
export const SPECS_PER_PROJECT = Object.values(PER_PROJECT).reduce((a, b) => a + b, 1);

const variables = (prefix: string) => `  variables:
  - name: ${prefix}_cloud_provider_name
    options:
      description: Enter the cloud credential name
      override:
        type: allowed
      required: true
    value: '[demo]'
    valueType: hcl
  - name: ${prefix}_access_key
    options:
      override:
        type: allowed
      sensitive: true
    value: accesskey
    valueType: text
  - name: ${prefix}_cluster_project
    options:
      override:
        restrictedValues:
        - demo
        - defaultproject
        type: restricted
    value: defaultproject
    valueType: text
  - name: ${prefix}_blueprint
    options:
      override:
        type: allowed
    value: '{"name": "default"}'
    valueType: json
  - name: ${prefix}_cluster_name
    options:
      override:
        type: allowed
    value: $(environment.name)$
    valueType: expression
`;

const hook = (name: string, extra = '') => `    - agents:
      - name: agent-1
      name: ${name}
      onFailure: continue
      options:
        http:
          body: <h1>This is a heading</h1>
          endpoint: https://hooks.example.com/${name}
          headers:
            Content-type: application/json
            X-TOKEN: 1234
          method: GET
          successCondition: |-
            if #status.http.statusCode == 200 {
              success: true
            }
            if #status.http.statusCode != 200 {
              failed: true
              reason: "url not reachable"
            }
      timeoutSeconds: 3600
      type: http
${extra}`;

function driver(project: string, name: string): string {
  return `apiVersion: eaas.envmgmt.io/v1
kind: Driver
metadata:
  description: A container driver
  name: ${name}
  project: ${project}
spec:
  config:
    container:
      arguments:
      - -refresh=true
      commands:
      - /bin/sh
      - -c
      cpuLimitMilli: "512"
      envVars:
        TF_LOG: DEBUG
      image: docker.io/example/runner:1.1
      kubeOptions:
        namespace: runs
        tolerations:
        - effect: NoSchedule
          key: node1
          operator: Equal
          value: value1
      memoryLimitMb: "1024"
      workingDirPath: /work/
    successCondition: |-
      if #status.container.exitCode == 0 {
        success: true
      }
    timeoutSeconds: 3600
    type: container
`;
}

function context(project: string, name: string): string {
  return `apiVersion: eaas.envmgmt.io/v1
kind: ConfigContext
metadata:
  name: ${name}
  project: ${project}
spec:
  envs:
  - key: AWS_ACCESS_KEY_ID
    options:
      override:
        type: allowed
      sensitive: true
    value: accesskey
  - key: DRIVER_DEBUG
    options:
      override:
        restrictedValues:
        - "true"
        - "false"
        type: restricted
      required: true
    value: "false"
  files:
  - data: aGk=
    name: config.json
    options:
      override:
        type: notallowed
      sensitive: true
${variables('ctx')}`;
}

function resource(project: string, name: string): string {
  return `apiVersion: eaas.envmgmt.io/v1
kind: Resource
metadata:
  name: ${name}
  project: ${project}
spec:
${variables('res')}`;
}

function resourceTemplate(project: string, name: string, i: number): string {
  return `apiVersion: eaas.envmgmt.io/v1
kind: ResourceTemplate
metadata:
  name: ${name}
  project: ${project}
  description: A resource template with the OpenTofu provider
  labels:
    env: qc
spec:
  agents:
  - name: agent-1
  contexts:
  - name: ctx-${i % PER_PROJECT.configcontexts}
  hooks:
    onInit:
${hook('rt-init-a')}${hook('rt-init-b', '      dependsOn:\n      - rt-init-a\n')}    provider:
      opentofu:
        deploy:
          init:
            before:
${hook('rt-before-init').replace(/^/gm, '        ').replace(/^ {8}$/gm, '')}
  provider: opentofu
  providerOptions:
    driver:
      name: driver-${i % PER_PROJECT.drivers}
    opentofu:
      backendConfigs:
      - key=bucket
      - region=us-west-2
      backendType: custom
      lock: true
      refresh: true
      timeoutSeconds: 3600
      varFiles:
      - ns.tfvars.json
      version: 1.7.2
  repositoryOptions:
    branch: main
    directoryPath: modules/${name}
    name: infra
${variables('rt')}  version: v1
`;
}

function environmentTemplate(project: string, name: string, i: number): string {
  const rts = [0, 1, 2].map((k) => `rt-${(i * 3 + k) % PER_PROJECT.resourcetemplates}`);
  return `apiVersion: eaas.envmgmt.io/v1
kind: EnvironmentTemplate
metadata:
  name: ${name}
  project: ${project}
  description: An environment template
spec:
  agents:
  - name: agent-1
  contexts:
  - name: ctx-${i % PER_PROJECT.configcontexts}
  hooks:
    onInit:
${hook('et-init')}    onSuccess:
${hook('et-success')}  resources:
  - kind: resourcetemplate
    name: ${rts[0]}
    resourceOptions:
      version: v1
    type: dynamic
  - kind: resourcetemplate
    name: ${rts[1]}
    resourceOptions:
      version: v1
    type: dynamic
    dependsOn:
    - name: ${rts[0]}
  - kind: resourcetemplate
    name: ${rts[2]}
    resourceOptions:
      version: v1
    type: dynamic
    dependsOn:
    - name: ${rts[1]}
  - kind: resource
    name: res-${i % PER_PROJECT.resources}
    type: static
${variables('et')}  version: v1
`;
}

function environment(project: string, name: string, i: number): string {
  return `apiVersion: eaas.envmgmt.io/v1
kind: Environment
metadata:
  name: ${name}
  project: ${project}
spec:
  agents:
  - name: agent-1
  template:
    name: et-${i % PER_PROJECT.environmenttemplates}
    version: v1
  variables:
  - name: et_cloud_provider_name
    value: '[team-${i}]'
    valueType: hcl
  - name: et_cluster_project
    value: demo
    valueType: text
`;
}

function cluster(project: string, name: string): string {
  return `apiVersion: infra.k8smgmt.io/v3
kind: Cluster
metadata:
  name: ${name}
  project: ${project}
spec:
  blueprintConfig:
    name: default
    version: v1
  cloudCredentials: aws
  config:
    managedNodeGroups:
    - amiFamily: AmazonLinux2
      desiredCapacity: 1
      instanceType: t3.xlarge
      maxSize: 2
      minSize: 0
      name: ng-1
    metadata:
      name: ${name}
      region: us-west-2
      version: "1.29"
  type: aws-eks
`;
}

const MAKERS: Record<keyof typeof PER_PROJECT, [string, (project: string, name: string, i: number) => string]> = {
  drivers: ['driver', driver],
  configcontexts: ['ctx', context],
  resources: ['res', resource],
  resourcetemplates: ['rt', resourceTemplate],
  environmenttemplates: ['et', environmentTemplate],
  environments: ['env', environment],
  clusters: ['cluster', cluster],
};

/** Path to text of a repository of `count` specs, rounded up to whole projects of 200. */
export function generateRepository(count: number): Map<string, string> {
  const files = new Map<string, string>();
  const projects = Math.ceil(count / SPECS_PER_PROJECT);
  for (let p = 0; p < projects; p++) {
    const project = `project-${p}`;
    files.set(`projects/${project}.yaml`, `apiVersion: system.k8smgmt.io/v3\nkind: Project\nmetadata:\n  name: ${project}\n`);
    for (const [plural, n] of Object.entries(PER_PROJECT) as [keyof typeof PER_PROJECT, number][]) {
      const [prefix, make] = MAKERS[plural];
      for (let i = 0; i < n; i++) {
        files.set(`projects/${project}/${plural}/${prefix}-${i}.yaml`, make(project, `${prefix}-${i}`, i));
      }
    }
  }
  return files;
}

export function writeRepository(dir: string, files: Map<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of files) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}
