// The bot pull request's description as the flows' tests expect it: its opening and closing
// sentences around the lines of its specs, and the story's change of staging's owner team.
import { BOT_PR_MARKER } from '../../../src/render/bot-pr.js';

/** The whole description: `opening` (who or what found the change), then the specs' lines. */
export const botPullRequestBody = (opening: string, lines: string[]) =>
  [
    BOT_PR_MARKER,
    `${opening} Merging this pull request makes Git match the system; it starts no run.`,
    '',
    ...lines,
    '',
    'envsync updates this pull request in place when the system changes again; commits you push to its branch are never overwritten.',
    '',
  ].join('\n');

/** The lines of staging's owner_team changed from payments-sre to payments-platform, `cause` saying how. */
export const changedStaging = (cause: string) => [
  '#### update Environment `payments/staging`',
  '',
  `\`projects/payments/environments/staging.yaml\`: ${cause}.`,
  '',
  '| field | before<br>→ after |',
  '| --- | --- |',
  '| `spec.variables[name=owner_team].value` | `"payments-sre"`<br>→ `"payments-platform"` |',
];
