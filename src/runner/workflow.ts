// The runner workflow `envsync init` writes into a config repository. The app dispatches it once per
// environment run (workflow_dispatch on the sync branch); it checks out exactly the commit to run,
// installs the package the dispatch names, runs `envsync run` and uploads the results, which the app
// reads back on `workflow_run`. The inputs and names it shares with the app are in contract.ts.
import { RESULTS_ARTIFACT_PREFIX, RESULTS_FILE } from './contract.js';

export interface RunnerWorkflowOptions {
  /** The package and exact version a dispatch installs unless it names one: `runs.package`, else envsync's own at this version. */
  package: string;
  /** The app's public URL: a run asks it for the values of the sealed:// references its specs hold. */
  appUrl?: string;
}

export function runnerWorkflow(options: RunnerWorkflowOptions): string {
  // Inputs reach the shell only through environment variables: a `${{ inputs.x }}` inside `run:`
  // would be pasted into the script, and an environment name could then inject commands.
  return `# Written by \`envsync init\`. envsync dispatches this workflow once per environment run after a
# merge; do not run it by hand unless you mean to deploy.
name: envsync run
run-name: envsync \${{ inputs.action }} \${{ inputs.environment }} (run \${{ inputs.run-id }})

on:
  workflow_dispatch:
    inputs:
      environment:
        description: PROJECT/ENVIRONMENT
        required: true
        type: string
      action:
        description: deploy or destroy
        required: true
        type: choice
        options: [deploy, destroy]
      sha:
        description: The commit to run (the merge commit; for a destroy, the last commit that has the environment)
        required: true
        type: string
      approved:
        description: Approval gates already approved, comma-separated
        required: false
        type: string
        default: ''
      runs-on:
        description: Runner labels, as a JSON array
        required: false
        type: string
        default: '["ubuntu-latest"]'
      run-id:
        description: The envsync run this dispatch carries out
        required: true
        type: string
      package:
        description: The envsync package and exact version to install (runs.package of .github/envsync.yml)
        required: false
        type: string
        default: '${options.package}'

# No concurrency group: envsync dispatches at most one run of an environment at a time and keeps the
# later ones waiting in its store (an Actions group would cancel a pending run when a third comes).

permissions:
  contents: read
  # The job's OIDC token proves to the app which run it is: a run whose specs hold sealed://
  # references gets their values from the app, and nothing secret is stored in the repository.
  id-token: write

jobs:
  run:
    runs-on: \${{ fromJSON(inputs.runs-on) }}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ inputs.sha }}
          persist-credentials: false
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: envsync run
        env:
          ENVSYNC_ENVIRONMENT: \${{ inputs.environment }}
          ENVSYNC_ACTION: \${{ inputs.action }}
          ENVSYNC_APPROVED_GATES: \${{ inputs.approved }}
          ENVSYNC_REVISION: \${{ inputs.sha }}
          ENVSYNC_PACKAGE: \${{ inputs.package }}
          ENVSYNC_RUN_ID: \${{ inputs.run-id }}
          # Where sealed secrets are asked for (envsync init --app-url); the token's audience is this URL.
          ENVSYNC_APP_URL: '${options.appUrl ?? ''}'
        # Exactly the package and version the dispatch names (runs.package), installed before it runs,
        # without install scripts: no code of a dependency runs in a job that may ask for an OIDC token.
        run: |
          npm install --global --ignore-scripts --no-audit --no-fund "$ENVSYNC_PACKAGE"
          envsync run "$ENVSYNC_ENVIRONMENT" --action "$ENVSYNC_ACTION"
      - name: results
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: ${RESULTS_ARTIFACT_PREFIX}\${{ inputs.run-id }}
          path: ${RESULTS_FILE}
          if-no-files-found: ignore
`;
}

/** A starter `.github/envsync.yml`: every setting at its default, explained (`runs.package` set when given). */
export const starterConfig = (packageSpec?: string) => `# envsync settings for this config repository. Every setting is optional; the values below are the
# defaults. Editors validate this file with the schema envsync publishes (schemas/envsync-config.json).

# Folder that holds projects/.
root: .

# The projects this repository owns (names, or globs with * and ?). A push applies only these; no two
# config repositories the system follows may claim one project.
projects: ['*']

# A merge that deletes every spec of a project waits for /approve deletion. Set a share (0 to 1) to
# hold also a merge that deletes more than that share of a project's specs.
# deletion:
#   maxShare: 0.5

sync:
  # both | git-to-system | system-to-git
  direction: both
  # How changes made outside Git come back: pull-request | commit
  delivery: pull-request
  # A secret changed in the system is written as a sealed:// reference: seal | keep
  secrets: seal

approvals:
  # GitHub users and teams (org/slug) whose /approve counts besides those with write access.
  users: []
  teams: []
  allowAuthor: false

runs:
  # The workflow envsync dispatches for each environment run (written by envsync init).
  workflow: envsync-run.yml
  # Runner labels per agent name of an environment's spec.agents.
  labels: {}
  defaultLabels: [ubuntu-latest]
  # The package and exact version the runner installs (default: envsync's own, as the app's version).
${packageSpec ? `  package: '${packageSpec}'` : '  # package: \'@envsync/cli@1.2.3\''}

drift:
  # When the system and Git differ: system-wins (a bot pull request) | git-wins (Git is re-applied)
  mode: system-wins

# A change that runs many environments can roll out in waves: each wave once the one before it
# succeeded (a failure stops the rest), a gated one after /approve wave/NAME on the merged pull request.
# rollout:
#   waves:
#   - name: canary
#     environments: [payments/dev]   # PROJECT/ENVIRONMENT names or globs; or projects, labels, share (%)
#   - name: early
#     projects: [retail]
#     gate: true
`;
