import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/util/displayWidth.js';
import { CLI_PATH, makeTempDir } from '../helpers/cli.js';
import { processesNaming, waitUntil } from './demoProcess.js';

/** A tmux server of this test's own, so nothing of anyone else's tmux is touched. */
const SERVER = `room-agent-demo-test-${process.pid}`;

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', ['-L', SERVER, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'demo');
}

describe('the demo in a terminal', () => {
  it('shows a compact summary redrawn in place, no log lines, within 80 columns, and stops on Ctrl-C', async () => {
    const temp = makeTempDir('room-agent-demo-view-');
    try {
      // In the folder, with the default ./.demo-data: only the demo's processes name that path
      // (tmux and its shell name the folder above it).
      const dir = join(temp.dir, '.demo-data');
      const command = `${process.execPath} ${CLI_PATH} --lang zh demo; echo "exit=$?"; sleep 600`;
      tmux('new-session', '-d', '-s', 'demo', '-x', '80', '-y', '40', '-c', temp.dir, command);
      // Past the enrollments and the first sign-ins: the activity runs and sign-ins are listed.
      await waitUntil(
        () => existsSync(join(dir, 'story.log')) && readFileSync(join(dir, 'story.log'), 'utf8').includes('"manual"'),
        120_000,
        'the manual sign-in of the story',
      );
      await waitUntil(() => screen().includes('人工签到'), 5_000, 'the manual sign-in on the screen');
      const shown = screen();
      for (const label of [
        '红旗村党群服务中心',
        '第 1 轮',
        '指纹模块',
        '摄像头',
        '县级链路',
        '本地日志',
        '当前活动',
        '县中心',
        '最近签到',
        '主题党日',
      ])
        expect(shown, label).toContain(label);
      expect(shown).toMatch(/李秀英\s+指纹签到/);
      // The activity has run for some 20 s: the room's camera pushes live.
      expect(shown).toContain('hall · 直播中（县级大屏播放）');
      expect(shown).toContain('未识别的手指');
      // No log line reached the terminal, and nothing needs more than 80 columns.
      expect(shown).not.toContain('"level"');
      expect(shown).not.toMatch(/^\{/m);
      for (const line of shown.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
      // One frame, drawn in place: the title is on the screen once.
      expect(shown.match(/room-agent 演示/g)).toHaveLength(1);

      tmux('send-keys', '-t', 'demo', 'C-c');
      await waitUntil(() => screen().includes('exit='), 10_000, 'the demo exiting');
      expect(screen()).toContain('exit=0');
      expect(screen()).toContain('演示已停止');
      expect(processesNaming(dir)).toEqual([]);
    } finally {
      spawnSync('tmux', ['-L', SERVER, 'kill-server']);
      temp.cleanup();
    }
  }, 180_000);
});
