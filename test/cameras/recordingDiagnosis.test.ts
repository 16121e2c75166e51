import { describe, expect, it } from 'vitest';
import { recordingDiagnosis } from '../../src/cameras/recording/recordTools.js';

describe('what ffmpeg’s last lines say of a recording', () => {
  it('names the card, not a media server, when the segment file cannot be written', () => {
    const lines = [
      '[mpegts @ 0x55d7c0a1e2c0] Error writing packet',
      'av_interleaved_write_frame(): No space left on device',
      'Error writing trailer of /var/lib/room-agent/media/recordings/a/hall/r0001-00003.ts: No space left on device',
    ];
    expect(recordingDiagnosis(lines)).toEqual({ problem: 'ffmpeg-error', line: lines[2] });
    const failing = ['Error writing trailer of /data/r0001-00001.ts: Input/output error'];
    expect(recordingDiagnosis(failing)).toEqual({ problem: 'ffmpeg-error', line: failing[0] });
  });

  it('keeps the camera’s side as a push would read it', () => {
    const lines = ['[rtsp @ 0x5581] method DESCRIBE failed: 401 Unauthorized'];
    expect(recordingDiagnosis(lines)?.problem).toBe('auth-failed');
    expect(recordingDiagnosis([])).toBeUndefined();
  });
});
