import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeTempDir } from '../helpers/cli.js';
import { watchDemoBoard } from './demoBoard.js';
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
    'plays the story at its real timing: the board plays the camera live and shows the photos, the center ends up with the whole journal, the cut sign-ins included, and nothing is left running',
    async () => {
      const temp = makeTempDir('room-agent-demo-story-');
      try {
        const demo = startDemo(['--headless', '--duration', String(DURATION_S), '--dir', temp.dir]);
        await waitUntil(
          () => childPids(temp.dir).size === 4,
          60_000,
          'the broker, the camera, the media server and the agent starting',
        );
        const pids = [...childPids(temp.dir).values()];
        await waitUntil(() => /county board: http/.test(demo.stdout()), 60_000, 'the story starting');
        const boardUrl = /county board: (http:\/\/\S+)/.exec(demo.stdout())![1]!;
        // The first round's activity runs from about 40 s to 100 s after this: live during it, the photo after it.
        const board = await watchDemoBoard(boardUrl, Date.now() + 130_000);
        const { code } = await demo.exited;
        expect(code, demo.stderr()).toBe(0);
        expect(demo.stdout()).toContain('room-agent demo running (headless');
        expect(demo.stdout()).toContain(`stops by itself after ${DURATION_S} s`);
        expect(demo.stdout()).toContain('camera: emulated camera hall');

        // The county board played the room's camera live during the activity (its sub-stream,
        // 320 wide, the video's time and decoded frames advancing) and showed a photo after it
        // (the main stream, 640 wide).
        expect(board.problem, JSON.stringify(board)).toBeUndefined();
        expect(board.live!.first.width).toBe(320);
        expect(board.live!.later.currentTime - board.live!.first.currentTime).toBeGreaterThan(1);
        expect(board.live!.later.frames).toBeGreaterThan(board.live!.first.frames);
        expect(board.photoAfter).toEqual({ width: 640, height: 360 });
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

        // The plan's three photos, at the start, in the middle and at the end, each received by the
        // center with the checksum the room journaled.
        const photos = journal.filter(
          (event) => event.type === 'camera.photo' && event.payload.activityId === firstActivity,
        );
        expect(photos.map((event) => event.payload.slot)).toEqual([0, 1, 2]);
        // Moments of a live picture, not one picture three times: the camera joins each grab at the
        // second it is at, and the clip's 7 s do not divide the 30 s between photos (a grab a second or
        // two late on a busy machine may still meet an earlier photo's picture).
        expect(new Set(photos.map((event) => event.payload.sha256)).size).toBeGreaterThan(1);
        const received = new Database(join(temp.dir, 'center', 'center.sqlite'), { readonly: true });
        try {
          for (const photo of photos)
            expect(
              received.prepare('SELECT sha256 FROM files WHERE file_id = ?').pluck().get(photo.payload.fileId),
              `photo ${String(photo.payload.slot)}`,
            ).toBe(photo.payload.sha256);
        } finally {
          received.close();
        }

        for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
        // No ffmpeg of the agent's push is left either: none names the media server's stream.
        const pushUrl = /url: (rtmp:\/\/\S+)/.exec(readFileSync(join(temp.dir, 'config.yaml'), 'utf8'))![1]!;
        expect(processesNaming(pushUrl)).toEqual([]);
        expect(processesNaming(temp.dir)).toEqual([]);
        expect(runtimeLeftovers(temp.dir)).toEqual([]);
      } finally {
        temp.cleanup();
      }
    },
    (DURATION_S + 90) * 1000,
  );
});
