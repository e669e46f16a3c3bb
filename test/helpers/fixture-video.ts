import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderAnimatic } from '../../src/activities/providers/local/animatic.js';
import { videoResolution } from '../../src/domain/aspect-ratio.js';

/** A real 6 s 16:9 MP4 that gated test providers copy into take folders. */
export async function renderFixtureVideo(): Promise<string> {
  const outPath = join(await mkdtemp(join(tmpdir(), 'recoil-fixture-')), 'fixture.mp4');
  await renderAnimatic({
    outPath,
    resolution: videoResolution('16:9'),
    shots: [
      { prompt: 'Fixture shot one', duration: 3 },
      { prompt: 'Fixture shot two', duration: 3 },
    ],
    sequenceId: 'FIXTURE',
    seed: 'fixture',
  });
  return outPath;
}
