// The usage of `envsync run`. Apart from its code (run.ts), which loads the runner and the engine:
// asking for help loads none of it.
import { RESULTS_FILE } from '../runner/contract.js';
import type { CommandSpec } from './io.js';

export const RUN_COMMAND = {
  name: 'run',
  args: 'PROJECT/ENVIRONMENT [DIR]',
  summary: "run an environment's activity graph, as a runner does",
  about: `Run the activity graph of environment PROJECT/ENVIRONMENT of the config repository checked out
in DIR (default: the current folder), as the runner workflow does: hooks, OpenTofu stages, containers,
HTTP calls and drivers, independent activities in parallel. Logs are grouped per activity with secrets
masked; the results (statuses, timings, outputs) are written to the results file and, in GitHub
Actions, to the job summary. Only the specs the environment reads are validated (its template and what
that names). Exit 0 when the run succeeds, 1 when it fails or those specs do not validate.`,
  options: {
    action: { type: 'string', default: 'deploy', value: 'deploy|destroy', help: 'deploy the environment, or destroy it' },
    'dry-run': { type: 'boolean', default: false, help: 'show what would run, run nothing' },
    ref: { type: 'string', value: 'REF', help: 'run the specs of this revision', defaultText: 'the working tree' },
    approved: { type: 'string', value: 'GATE,...', help: 'the approval gates passed', defaultText: '$ENVSYNC_APPROVED_GATES, else none' },
    runtime: { type: 'string', value: 'docker|process', help: 'how containers run', defaultText: '$ENVSYNC_CONTAINER_RUNTIME, else docker' },
    concurrency: { type: 'string', default: '4', value: 'N', help: 'at most this many activities at once' },
    results: { type: 'string', default: RESULTS_FILE, value: 'FILE', help: 'where the results are written' },
  },
} as const satisfies CommandSpec;
