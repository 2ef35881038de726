// `make demo`'s source: a 2-minute 1280x720 30 fps clip with audio, generated once from ffmpeg's test sources.
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateClip } from '../local/media/synthetic-clip';

const path = process.argv[2];
if (!path) {
  console.error('usage: make-demo-clip <output.mp4>');
  process.exit(2);
}
if (await stat(path).catch(() => undefined)) {
  console.error(`demo clip: ${path} exists`);
} else {
  await mkdir(dirname(path), { recursive: true });
  console.error(`demo clip: generating ${path} (2 min, 1280x720, 30 fps, AAC audio)...`);
  const started = Date.now();
  // Written aside and renamed, so an interrupted run never leaves a half clip that looks finished.
  const partial = `${path}.partial.mp4`;
  await generateClip(partial, { width: 1280, height: 720, fps: '30', gop: 60, durationSeconds: 120, preset: 'veryfast' });
  await rename(partial, path);
  console.error(`demo clip: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
