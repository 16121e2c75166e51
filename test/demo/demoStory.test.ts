import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import {
  alive,
  childPids,
  expectCenterHoldsJournal,
  processesNaming,
  runtimeLeftovers,
  signIns,
  startDemo,
  storySteps,
  waitUntil,
} from './demoProcess.js';

const DURATION_S = 150;

describe('room-agent demo --headless --duration 150', () => {
  it(
    'plays the story at its real timing: the center ends up with the whole journal, the cut sign-ins included, and nothing is left running',
    async () => {
      const temp = makeTempDir('room-agent-demo-story-');
      try {
        const demo = startDemo(['--headless', '--duration', String(DURATION_S), '--dir', temp.dir]);
        await waitUntil(() => childPids(temp.dir).size === 2, 30_000, 'the broker and the agent starting');
        const pids = [...childPids(temp.dir).values()];
        const { code } = await demo.exited;
        expect(code, demo.stderr()).toBe(0);
        expect(demo.stdout()).toContain('room-agent demo running (headless');
        expect(demo.stdout()).toContain(`stops by itself after ${DURATION_S} s`);
        // The logs went to their files, none to the terminal.
        expect(demo.stdout()).not.toContain('"level"');
        expect(readFileSync(join(temp.dir, 'agent.log'), 'utf8')).toContain('"level"');

        const { journal, center } = expectCenterHoldsJournal(temp.dir);

        // The story got through the first round and into the second.
        const steps = storySteps(temp.dir);
        expect(steps.map((step) => step.step)).toEqual(
          expect.arrayContaining(['roster', 'enrolled', 'plan', 'finger', 'manual', 'cut', 'restore', 'end']),
        );
        expect(Math.max(...steps.map((step) => step.round))).toBeGreaterThanOrEqual(2);
        expect(journal.filter((event) => event.type === 'member.enrolled')).toHaveLength(5);
        expect(journal.filter((event) => event.type === 'activity.started').length).toBeGreaterThanOrEqual(2);
        expect(journal.some((event) => event.type === 'signin.unknown')).toBe(true);
        expect(journal.some((event) => event.type === 'signin.manual')).toBe(true);
        // One member placed a finger twice in the round: the second time made no record.
        const firstActivity = journal.find((event) => event.type === 'activity.started')!.payload.activityId;
        const firstRound = signIns(journal).filter((event) => event.payload.activityId === firstActivity);
        expect(firstRound.map((event) => event.payload.memberId).sort()).toEqual([
          'M001',
          'M002',
          'M003',
          'M004',
          'M005',
          'S001',
        ]);

        // Sign-ins made while the room's link was cut reached the center once it came back.
        const cutAt = steps.find((step) => step.step === 'cut')!.wallMs;
        const restoredAt = steps.find((step) => step.step === 'restore')!.wallMs;
        const duringCut = signIns(journal).filter((event) => event.wallMs > cutAt && event.wallMs < restoredAt);
        expect(duringCut.length).toBeGreaterThanOrEqual(1);
        const storedSeqs = new Set(center.map((event) => event.seq));
        for (const event of duringCut) expect(storedSeqs.has(event.seq), `seq ${event.seq}`).toBe(true);

        // Every sign-in of the demo, the secretary-confirmed one too, is demo data at the center.
        const centerSignIns = signIns(center);
        expect(centerSignIns.length).toBeGreaterThanOrEqual(firstRound.length);
        for (const event of centerSignIns) expect(event.payload.emulated, `seq ${event.seq}`).toBe(true);

        for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
        expect(processesNaming(temp.dir)).toEqual([]);
        expect(runtimeLeftovers(temp.dir)).toEqual([]);
      } finally {
        temp.cleanup();
      }
    },
    (DURATION_S + 90) * 1000,
  );
});
