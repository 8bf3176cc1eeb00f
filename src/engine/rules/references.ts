// References resolve: to an existing spec, of the pinned version, in the project or shared with it.
import { atValue, error, type PendingFinding } from '../../specs/findings.js';
import { KIND_BY_NAME } from '../../specs/kinds.js';
import { didYouMean } from '../../specs/suggest.js';
import { referencesOf } from '../references.js';
import type { Rule } from './context.js';

export const checkReferences: Rule = ({ index, valid }) => {
  const findings: PendingFinding[] = [];
  for (const spec of valid) {
    for (const ref of referencesOf(spec)) {
      const resolution = index.resolve(ref.kind, ref.name, spec.project, ref.version);
      const plural = KIND_BY_NAME.get(ref.kind)!.plural;
      if (resolution.status === 'missing') {
        findings.push(
          error(
            spec.file,
            'ref-not-found',
            `${ref.kind} "${ref.name}" does not exist in project ${spec.project} nor is it shared with it${didYouMean(ref.name, resolution.candidates) || `: add projects/${spec.project}/${plural}/${ref.name}.yaml or correct the name`}`,
            atValue(ref.path),
          ),
        );
      } else if (resolution.status === 'not-shared') {
        const owner = resolution.owners[0]!;
        findings.push(
          error(
            spec.file,
            'ref-not-shared',
            `${ref.kind} "${ref.name}" belongs to project ${owner.project} and is not shared with project ${spec.project}: in ${owner.file}, set spec.sharing.enabled: true and add "${spec.project}" (or "*") to spec.sharing.projects`,
            atValue(ref.path),
          ),
        );
      } else if (resolution.status === 'version-missing') {
        const versions = resolution.versions.length > 0 ? resolution.versions.join(', ') : 'none';
        findings.push(
          error(
            spec.file,
            'ref-version-not-found',
            `${ref.kind} "${ref.name}" has no version "${ref.version}" (versions: ${versions}): pin an existing version, or add that version of the template`,
            atValue(ref.versionPath ?? ref.path),
          ),
        );
      }
    }
  }
  return findings;
};
