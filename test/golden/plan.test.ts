// Golden files: the plan of each scenario, as JSON, as the CLI's Markdown and as the PR comment,
// byte for byte. After an intended change of output, regenerate with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planChange } from '../../src/engine/plan/plan.js';
import { loadSpecs } from '../../src/specs/load.js';
import { renderPlan, renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { SCENARIOS, exampleFiles, scenarioFiles } from './scenarios.js';
import { fleetFiles } from './fleet.js';
import { assignWaves } from '../../src/engine/plan/waves.js';

const fixtures = new URL('../fixtures/plans/', import.meta.url);

function golden(name: string, actual: string): void {
  const file = new URL(name, fixtures);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  expect(actual, `${name} differs from its golden file: review, then UPDATE_GOLDEN=1`).toBe(readFileSync(file, 'utf8'));
}

function planOf(scenario: string) {
  return planChange({
    base: { revision: '1111111111111111111111111111111111111111', loaded: loadSpecs(exampleFiles()) },
    head: { revision: '2222222222222222222222222222222222222222', loaded: loadSpecs(scenarioFiles(scenario)) },
  });
}

describe.each(Object.keys(SCENARIOS))('the plan of scenario %s', (scenario) => {
  it('matches its golden JSON', () => golden(`${scenario}.json`, JSON.stringify(planOf(scenario), null, 2) + '\n'));
  it('matches its golden Markdown', () => golden(`${scenario}.md`, renderPlanMarkdown(planOf(scenario))));
  it('renders the same bytes twice', () => {
    expect(renderPlan(planOf(scenario))).toEqual(renderPlan(planOf(scenario)));
  });
  it('puts the whole plan in the pull-request comment when it is small', () => {
    expect(renderPlan(planOf(scenario)).comment).toBe(renderPlanMarkdown(planOf(scenario)));
  });
});

describe('the plan of a template change a fleet of 152 environments in 3 projects uses', () => {
  const fleet = () => planChange({ base: { revision: '1'.repeat(40), loaded: loadSpecs(fleetFiles()) }, head: { revision: '2'.repeat(40), loaded: loadSpecs(fleetFiles(true)) } });
  it('matches its golden comment and check run', () => {
    const rendered = renderPlan(fleet());
    golden('fleet-template-change.comment.md', rendered.comment);
    golden('fleet-template-change.check.md', `${rendered.checkSummary}\n---\n${rendered.checkText}`);
  });
  it('in three waves, matches its golden comment', () => {
    const plan = fleet();
    const waves = assignWaves(plan.runs, [{ name: 'canary', environments: ['payments/dev'] }, { name: 'early', projects: ['retail'], gate: true }]);
    golden('fleet-waves.comment.md', renderPlan(plan, undefined, { waves }).comment);
  });
});
