import { afterAll, describe, expect, it } from 'vitest';
import type { ValidationIssue } from '../src/domain/validation-issue.js';
import { loadProject } from '../src/project/load-project.js';
import { loadEpisodeUnits } from './helpers/pricing.js';
import { makeProject, removeFixtures, type ProjectFiles } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';

const PLAN = 'plans/ep_001_plan.json';
const BIBLE = 'client_bible.json';

afterAll(removeFixtures);

async function issuesOf(mutate: (files: ProjectFiles) => unknown): Promise<ValidationIssue[]> {
  const result = await loadProject(await makeProject(mutate));
  if (result.ok) throw new Error('expected the project to be refused');
  return result.issues;
}

function issue(file: string, jsonPath: string, message: RegExp, hint?: RegExp) {
  return expect.objectContaining({ file, path: jsonPath, message: expect.stringMatching(message), ...(hint ? { hint: expect.stringMatching(hint) } : {}) });
}

/** Style and location pictures in the bible, made from the example's own images. */
function addImageReferences(files: ProjectFiles, count: number): void {
  const images = ['refs/highway_wide.png', 'refs/seq04_gas_station.png', 'refs/parcel.png', 'refs/van_side.png'];
  files.bible.image_references = Array.from({ length: count }, (_, i) => ({
    id: `look${i + 1}`,
    kind: i % 2 === 0 ? 'style' : 'location',
    name: `Look ${i + 1}`,
    image: images[i % images.length],
    trigger: `@look${i + 1}`,
  }));
}

describe("Kling's limits, checked before a cent is spent", () => {
  it('refuses eight references to one sequence, naming the limit and what to drop', async () => {
    const issues = await issuesOf((files) => {
      addImageReferences(files, 4);
      // SEQ01 already has four elements: four image references make eight.
      files.plan.sequences[0].image_references = ['look1', 'look2', 'look3', 'look4'];
    });
    expect(issues).toEqual([
      issue(PLAN, 'sequences[0]', /sends 8 references \(4 elements \+ 4 image references\); Kling O3 takes at most 7/, /drop 1 of them \(the last listed: image reference look4\)/),
    ]);
  });

  it('takes at most 4 references when an element has a reference video, and one such element', async () => {
    const issues = await issuesOf((files) => {
      files.write('refs/maya.mp4', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(16)]));
      files.write('refs/van.mp4', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(16)]));
      files.bible.elements.find((e: { id: string }) => e.id === 'maya').video = 'refs/maya.mp4';
      files.bible.elements.find((e: { id: string }) => e.id === 'van').video = 'refs/van.mp4';
      addImageReferences(files, 1);
      files.plan.sequences[0].image_references = ['look1'];
    });
    // SEQ01 (maya, van, highway, parcel), SEQ02 and SEQ04 (maya, van, sedan) hold both video elements.
    expect(issues).toEqual([
      issue(PLAN, 'sequences[0]', /2 of this sequence's elements have a reference video \(maya, van\); a Kling request takes at most 1/),
      issue(PLAN, 'sequences[0]', /sends 5 references \(4 elements \+ 1 image references\); Kling O3 takes at most 4 when an element has a reference video \(maya\)/, /drop 1/),
      issue(PLAN, 'sequences[1]', /2 of this sequence's elements have a reference video/),
      issue(PLAN, 'sequences[3]', /2 of this sequence's elements have a reference video/),
    ]);
  });

  it('refuses a voice on an element without a reference video, and a reference video that is not MP4 or MOV', async () => {
    const issues = await issuesOf((files) => {
      files.bible.elements[0].voice_id = 'voice_maya_01';
      files.bible.elements[1].video = 'refs/van_side.png';
    });
    expect(issues).toEqual([
      issue(BIBLE, 'elements[0].voice_id', /has a voice but no reference video/, /add "video": "refs\/maya.mp4"/),
      issue(BIBLE, 'elements[1].video', /"refs\/van_side.png" is not an MP4 or MOV video/),
    ]);
  });

  it('refuses unknown and repeated image references, and a trigger of one the sequence does not list', async () => {
    const issues = await issuesOf((files) => {
      addImageReferences(files, 2);
      files.plan.sequences[0].image_references = ['look1', 'look1', 'lok2'];
      files.plan.sequences[1].shots[0].prompt += ' in the style of @look2';
    });
    expect(issues).toEqual([
      issue(PLAN, 'sequences[1].shots[0].prompt', /@look2 is the trigger of image reference "look2", which is not in this sequence's image_references/, /add "look2" to sequences\[1\]\.image_references/),
      issue(PLAN, 'sequences[0].image_references[1]', /"look1" is listed twice/),
      issue(PLAN, 'sequences[0].image_references[2]', /unknown image reference "lok2"/, /did you mean "look2"/),
    ]);
  });

  it('refuses frame links with nothing at their other end, and two sequences waiting for each other', async () => {
    const issues = await issuesOf(({ plan }) => {
      plan.sequences[0].start_frame = { previous: true };
      delete plan.sequences[2].start_frame;
      plan.sequences[1].end_frame = { next: true }; // SEQ03 has no start frame to end on
      plan.sequences[2].end_frame = { next: true };
      plan.sequences[3].start_frame = { previous: true }; // …and SEQ04 would start from SEQ03's end
      plan.sequences[4].end_frame = { next: true };
    });
    expect(issues).toEqual([
      issue(PLAN, 'sequences[0].start_frame.previous', /the first sequence has no previous sequence/),
      issue(PLAN, 'sequences[1].end_frame.next', /the next sequence \(SEQ03\) has no start frame to end on/),
      issue(PLAN, 'sequences[2].end_frame.next', /the two wait for each other/),
      issue(PLAN, 'sequences[4].end_frame.next', /the last sequence has no next sequence/),
    ]);
  });

  it('sends image references as @ImageN and carries end frames and chained start frames into the units', async () => {
    const dir = await makeProject((files) => {
      addImageReferences(files, 2);
      files.plan.sequences[1].image_references = ['look2', 'look1'];
      files.plan.sequences[1].shots[0].prompt += ', lit like @look1, at @look2';
      files.plan.sequences[1].end_frame = { image: 'refs/highway_wide.png' };
      files.plan.sequences[2].start_frame = { previous: true };
    });
    const units = await loadEpisodeUnits(dir, 'EP001');
    expect(units[1]!.imageReferences!.map((r) => [r.id, r.index])).toEqual([['look2', 1], ['look1', 2]]);
    expect(units[1]!.shots[0]!.providerPrompt).toMatch(/, lit like @Image2, at @Image1$/);
    expect(units[1]!.endFrame).toEqual({ kind: 'image', path: 'refs/highway_wide.png' });
    expect(units[2]!.startFrame).toEqual({ kind: 'previous', sequenceId: 'SEQ02' });
  });

  it('`recoil validate` exits 2 on a plan with eight references to one sequence, naming the limit', async () => {
    const dir = await makeProject((files) => {
      addImageReferences(files, 4);
      files.plan.sequences[0].image_references = ['look1', 'look2', 'look3', 'look4'];
    });
    const { code, stderr } = await runCli(['validate', dir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/plans\/ep_001_plan\.json:\d+:\d+ sequences\[0\]: this sequence sends 8 references .* Kling O3 takes at most 7/);
  });
});
