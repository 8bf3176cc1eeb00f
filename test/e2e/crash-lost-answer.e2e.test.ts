// SIGKILL at every write the app makes to GitHub in the whole loop, the first fault a lost answer and
// then alternating (crash-matrix.ts); the other file starts the other way, so that every write is
// hit both ways. The process restarts, takes its job back after the lease (2 s here), the delivery
// is sent again, and GitHub ends exactly as after a run without faults.
import { afterAll, expect, it } from 'vitest';
import { cleanOutcome, playWithCrashes } from './crash-matrix.js';
import { World } from './world.js';

const world = new World();
afterAll(() => world.stop());

it('ends exactly as a run without faults, with the app killed at each write, the first a lost answer', async () => {
  await world.create();
  const play = await playWithCrashes('hang-after', world);
  expect(play.state).toEqual(cleanOutcome(world, play.merge));
  const [a, b] = ['hang-after', 'hang'];
  expect(play.crashes).toEqual([
    `pull request: ${a} at POST /check-runs`,
    `pull request: ${b} at POST /check-runs`,
    `pull request: ${a} at POST /check-runs`,
    `pull request: ${b} at POST /issues/1/comments`,
    `/approve: ${a} at PATCH /check-runs/3`,
    `/approve: ${b} at POST /issues/comments/5001/reactions`,
    `merge: ${a} at POST /deployments`,
    `merge: ${b} at POST /deployments`,
    expect.stringMatching(new RegExp(`^merge: ${a} at POST /(actions/workflows/envsync-run.yml/dispatches|deployments/\\d+/statuses)$`)),
    expect.stringMatching(new RegExp(`^merge: ${b} at POST /`)),
    expect.stringMatching(new RegExp(`^merge: ${a} at POST /`)),
    expect.stringMatching(new RegExp(`^merge: ${b} at POST /`)),
    expect.stringMatching(new RegExp(`^workflow run: ${a} at POST /deployments/\\d+/statuses$`)),
    `workflow run: ${b} at POST /issues/1/comments`,
  ]);
  expect(play.redeliveries).toEqual(play.crashes.map(() => 200));
  expect(play.metrics).toContain('envsync_jobs{state="failed"} 0');
}, 180_000);
