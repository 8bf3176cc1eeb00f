// The usage of `envsync init`. Apart from its code (init.ts), which loads the configuration's parser
// (Ajv, js-yaml): asking for help loads none of it.
import { CONFIG_PATH, DEFAULT_RUNNER_WORKFLOW } from '../config/names.js';
import type { CommandSpec } from './io.js';


export const INIT_COMMAND = {
  name: 'init',
  args: '[DIR]',
  summary: 'add the runner workflow and a starter .github/envsync.yml',
  about: `Make the config repository checked out in DIR (default: the current folder) ready for the app:
write the runner workflow the app dispatches after a merge (.github/workflows/${DEFAULT_RUNNER_WORKFLOW})
and a starter ${CONFIG_PATH}. Files that exist are kept unless --force. The workflow installs the
package --package names (also written as runs.package), else envsync's own at this version. With
--app-url, a run whose specs hold sealed:// references asks the app there for their values, proving
with the job's OIDC token that it is the run the app dispatched.`,
  options: {
    force: { type: 'boolean', default: false, help: 'replace files that exist' },
    package: { type: 'string', value: 'NAME@VERSION', help: 'the package and exact version runners install', defaultText: 'this envsync, as @envsync/cli@VERSION' },
    'app-url': { type: 'string', value: 'URL', help: "the app's public URL (its ENVSYNC_PUBLIC_URL), where runs get sealed secrets", defaultText: 'none: runs get no sealed secrets' },
  },
} as const satisfies CommandSpec;
