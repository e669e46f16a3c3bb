import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { writeApprovedTake } from './helpers/approved-take.js';
import { deliveredFolder } from './helpers/delivery-check.js';
import { EXAMPLE_PROJECT } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { tempFolders } from './helpers/temp-folders.js';

const EXAMPLE = { projectId: 'driver-beware', episode: 'EP001' };
const SEQUENCES = ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04', 'SEQ05'];
const artifacts = tempFolders('recoil-deliver-cli-');

describe('recoil deliver', () => {
  it('delivers the approved takes on disk in plan order, once; status lists the version', { timeout: 180_000 }, async () => {
    const root = await artifacts();
    for (const [i, sequenceId] of SEQUENCES.entries()) await writeApprovedTake(root, { sequenceId, take: i + 1, rate: '24', shots: [1], project: EXAMPLE });
    const env = { RECOIL_ARTIFACTS_DIR: root };

    const first = await runCli(['deliver', EXAMPLE_PROJECT, 'EP001'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ delivered driver-beware EP001 v001: .*delivery\/v001/);
    const delivered = join(root, 'driver-beware', 'EP001', 'delivery', 'v001');
    expect((await readdir(delivered)).sort()).toEqual(deliveredFolder('EP001'));

    const again = await runCli(['deliver', EXAMPLE_PROJECT, 'EP001'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no new version: v001 already holds these approved takes/);
    expect(await readdir(join(root, 'driver-beware', 'EP001', 'delivery'))).toEqual(['v001']);

    const status = await runCli(['status', 'driver-beware', '--episode', 'EP001'], { ...env, TEMPORAL_ADDRESS: inject('temporalAddress') });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Deliveries:\n {2}EP001 v001 .* · SEQ01 t001, SEQ02 t002, SEQ03 t003, SEQ04 t004, SEQ05 t005\n {4}.*delivery\/v001/);
  });

  it('refuses, with exit 2 and nothing written, while sequences have no approved take', async () => {
    const root = await artifacts();
    await writeApprovedTake(root, { sequenceId: 'SEQ01', take: 1, rate: '24', shots: [1], project: EXAMPLE });
    const { code, stderr } = await runCli(['deliver', EXAMPLE_PROJECT, 'EP001'], { RECOIL_ARTIFACTS_DIR: root });
    expect(code).toBe(2);
    expect(stderr).toMatch(/SEQ02, SEQ03, SEQ04, SEQ05 have no approved take .*npx recoil approve driver-beware EP001 SEQ02 --take N/);
    expect(await readdir(join(root, 'driver-beware', 'EP001'))).not.toContain('delivery');
  });
});
