// Every reference a spec makes to another spec, with the path of the referring value.
import type { DocPath } from '../specs/findings.js';
import type { EnvironmentTemplate, Environment, KindName, ResourceTemplate } from '../specs/kinds.js';
import type { LoadedSpec } from '../specs/load.js';
import { hookLists } from '../specs/walk.js';

export interface Reference {
  kind: KindName;
  name: string;
  version?: string;
  /** Path of the name value; `versionPath` of the version value when one is pinned. */
  path: DocPath;
  versionPath?: DocPath;
}

const TEMPLATE_RESOURCE_KIND: Record<string, KindName> = {
  resourcetemplate: 'ResourceTemplate',
  resource: 'Resource',
  environment: 'Environment',
};

export function referencesOf(spec: LoadedSpec): Reference[] {
  const refs: Reference[] = [];
  switch (spec.kind.kind) {
    case 'Environment': {
      const { template } = (spec.data as unknown as Environment).spec;
      refs.push({
        kind: 'EnvironmentTemplate',
        name: template.name,
        version: template.version,
        path: ['spec', 'template', 'name'],
        versionPath: ['spec', 'template', 'version'],
      });
      break;
    }
    case 'EnvironmentTemplate': {
      const et = (spec.data as unknown as EnvironmentTemplate).spec;
      et.resources?.forEach((r, i) => {
        const version = r.resourceOptions?.version;
        refs.push({
          kind: TEMPLATE_RESOURCE_KIND[r.kind]!,
          name: r.name,
          ...(version !== undefined && r.kind === 'resourcetemplate'
            ? { version, versionPath: ['spec', 'resources', i, 'resourceOptions', 'version'] }
            : {}),
          path: ['spec', 'resources', i, 'name'],
        });
      });
      refs.push(...contextRefs(et.contexts), ...hookDriverRefs(et));
      break;
    }
    case 'ResourceTemplate': {
      const rt = (spec.data as unknown as ResourceTemplate).spec;
      refs.push(...contextRefs(rt.contexts), ...hookDriverRefs(rt));
      if (rt.providerOptions?.driver && !rt.providerOptions.driver.data) {
        refs.push({ kind: 'Driver', name: rt.providerOptions.driver.name, path: ['spec', 'providerOptions', 'driver', 'name'] });
      }
      if (rt.artifactDriver && !rt.artifactDriver.data) {
        refs.push({ kind: 'Driver', name: rt.artifactDriver.name, path: ['spec', 'artifactDriver', 'name'] });
      }
      break;
    }
    default:
      break;
  }
  return refs;
}

function contextRefs(contexts: { name: string }[] | undefined): Reference[] {
  return (contexts ?? []).map((c, i) => ({ kind: 'ConfigContext', name: c.name, path: ['spec', 'contexts', i, 'name'] }));
}

function hookDriverRefs(spec: EnvironmentTemplate['spec'] | ResourceTemplate['spec']): Reference[] {
  const refs: Reference[] = [];
  for (const list of hookLists(spec)) {
    list.hooks.forEach((hook, i) => {
      if (hook.driver && !hook.driver.data) {
        refs.push({ kind: 'Driver', name: hook.driver.name, path: [...list.path, i, 'driver', 'name'] });
      }
    });
  }
  return refs;
}
