import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, type ValidationIssue } from '../src/domain/validation-issue.js';
import { loadEpisode } from '../src/project/load-episode.js';
import { loadEpisodeUnits } from './helpers/pricing.js';
import { loadProject, type LoadOptions } from '../src/project/load-project.js';
import { EXAMPLE_PROJECT, makeProject, removeFixtures, type ProjectFiles } from './helpers/project-fixture.js';

const PLAN = 'plans/ep_001_plan.json';
const BIBLE = 'client_bible.json';
const PROJECT = 'project.json';

afterAll(removeFixtures);

/** The issues of a copy of the example after `mutate`; fails the test if the copy loads clean. */
async function issuesOf(mutate: (files: ProjectFiles) => unknown, opts?: LoadOptions): Promise<ValidationIssue[]> {
  const result = await loadProject(await makeProject(mutate), opts);
  if (result.ok) throw new Error('expected the project to be refused');
  return result.issues;
}

function issue(file: string, jsonPath: string, message: RegExp, hint?: RegExp) {
  return expect.objectContaining({
    file,
    path: jsonPath,
    message: expect.stringMatching(message),
    ...(hint ? { hint: expect.stringMatching(hint) } : {}),
  });
}

function png(width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#808080' } }).png().toBuffer();
}

describe('the bundled example', () => {
  it('loads clean', async () => {
    const result = await loadProject(EXAMPLE_PROJECT);
    expect(result.ok ? [] : result.issues).toEqual([]);
    if (!result.ok) return;
    expect(result.projectDir).toBe(path.resolve(EXAMPLE_PROJECT));
    expect(result.project).toMatchObject({ id: 'driver-beware', aspect_ratio: '16:9', default_model: 'kling-o3', budget_usd: 120 });
    expect(result.bible.elements.length).toBeGreaterThanOrEqual(3);
    expect(result.plans.map((p) => [p.file, p.plan.episode, p.plan.title, p.plan.budget_usd])).toEqual([[PLAN, 'EP001', 'Pilot', 60]]);
  });

  it('yields one unit per sequence, with triggers rewritten to @ElementN', async () => {
    const result = await loadEpisode(EXAMPLE_PROJECT, 'EP001');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.planFile).toBe(PLAN);
    const units = await loadEpisodeUnits(EXAMPLE_PROJECT, 'EP001');
    expect(units.map((u) => u.sequenceId)).toEqual(['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04', 'SEQ05']);
    const [seq01, seq02, seq03, seq04] = units;
    expect(seq01?.elements.map((e) => `${e.id}=@Element${e.index}`)).toEqual([
      'maya=@Element1',
      'van=@Element2',
      'highway=@Element3',
      'parcel=@Element4',
    ]);
    expect(seq01?.shots[0]?.providerPrompt).toBe(
      'Extreme wide shot: @Element3 at midnight, sheets of rain under sodium lamps; @Element2 is the only vehicle, crawling north',
    );
    expect(seq01?.shots[2]?.providerPrompt).toBe('Close-up: @Element1 glances at @Element4 on the passenger seat, then back at the road');
    expect(seq01).toMatchObject({ model: 'kling-o3', resolution: { width: 1280, height: 720 }, totalDurationSec: 14, startFrame: null });
    expect(seq02?.startFrame).toMatchObject({ kind: 'prompt' });
    expect(seq03?.model).toBe('kling-o3-pro');
    expect(seq04?.startFrame).toEqual({ kind: 'image', path: 'refs/seq04_gas_station.png' });
    const leftovers = units.flatMap((u) => u.shots.flatMap((s) => s.providerPrompt.match(/@\w+/g) ?? []));
    expect(leftovers.every((token) => /^@Element\d+$/.test(token))).toBe(true);
    expect(units.every((u) => u.totalDurationSec <= 15)).toBe(true);
  });
});

describe('acceptance: several problems in one plan', () => {
  it('reports exactly the unknown element, the 20 s shot and the duplicate sequence id', async () => {
    const issues = await issuesOf(({ plan }) => {
      plan.sequences[2].elements.push('ghost');
      plan.sequences[1].shots[0].duration = 20;
      plan.sequences[3].id = 'SEQ01';
    });
    expect(issues).toHaveLength(3);
    expect(issues).toEqual(
      expect.arrayContaining([
        issue(PLAN, 'sequences[2].elements[2]', /unknown element "ghost"/, /known element ids: maya, van, sedan, highway, parcel/),
        issue(PLAN, 'sequences[1].shots[0].duration', /at most 15 s \(got 20\)/),
        issue(PLAN, 'sequences[3].id', /duplicate sequence id "SEQ01" \(also sequences\[0\]\)/, /unique|own id/),
      ]),
    );
  });

  it('reports problems of every file in one run', async () => {
    const issues = await issuesOf(({ project, bible, plan, write }) => {
      project.aspect_ratio = '4:3';
      bible.elements[0].kind = 'person';
      plan.sequences[0].shots[0].prompt = '';
      write('refs/parcel.png', 'not an image');
    });
    expect(issues.map((i) => `${i.file} ${i.path}`)).toEqual([
      'project.json aspect_ratio',
      'client_bible.json elements[0].kind',
      'client_bible.json elements[4].frontal_image',
      `${PLAN} sequences[0].shots[0].prompt`,
    ]);
  });
});

describe('where each problem is written', () => {
  const located = (file: string, jsonPath: string, line: number, column: number) => expect.objectContaining({ file, path: jsonPath, line, column });
  const plan = [
    '{',
    '  "episode": "EP001",',
    '  "sequences": [',
    '    {',
    '      "id": "SEQ01",',
    '      "elements": ["maya", "ghost"],',
    '      "shots": [{ "prompt": "@maya waves", "duration": 5, "colour": "red" }, { "duration": 4 }]',
    '    }',
    '  ]',
    '}',
  ].join('\n');

  it('locates a rule across files (an unknown element), a schema problem at its field name, and a missing field at its object', async () => {
    const issues = await issuesOf(({ write }) => write(PLAN, plan));
    expect(issues).toEqual(
      expect.arrayContaining([
        located(PLAN, 'sequences[0].elements[1]', 6, 28),
        located(PLAN, 'sequences[0].shots[0].colour', 7, 59),
        located(PLAN, 'sequences[0].shots[1].prompt', 7, 78),
      ]),
    );
    const unknown = issues.find((i) => /unknown element "ghost"/.test(i.message));
    expect(unknown && formatIssue(unknown)).toMatch(/^plans\/ep_001_plan\.json:6:28 sequences\[0\]\.elements\[1\]: unknown element "ghost"/);
  });

  it('locates a missing image at the field that names it, in the file as written', async () => {
    const dir = await makeProject(({ bible }) => {
      bible.elements[1].frontal_image = 'refs/nowhere.png';
    });
    const result = await loadProject(dir);
    const lines = (await readFile(path.join(dir, BIBLE), 'utf8')).split('\n');
    const line = lines.findIndex((l) => l.includes('"refs/nowhere.png"')) + 1;
    const column = (lines[line - 1]?.indexOf('"frontal_image"') ?? 0) + 1;
    expect(result.ok ? [] : result.issues).toEqual([located(BIBLE, 'elements[1].frontal_image', line, column)]);
  });
});

describe('missing files', () => {
  it('a project folder that does not exist', async () => {
    const missing = path.join(os.tmpdir(), 'recoil-no-such-project');
    const result = await loadProject(missing);
    expect(result.ok ? [] : result.issues).toEqual([issue(missing, '', /project folder not found/, /project\.json, client_bible\.json and plans\//)]);
  });

  it('project.json', async () => {
    expect(await issuesOf(({ remove }) => remove(PROJECT))).toEqual([issue(PROJECT, '', /is missing/, /create project\.json.*"type": "client_video"/)]);
  });

  it('client_bible.json', async () => {
    expect(await issuesOf(({ remove }) => remove(BIBLE))).toEqual([issue(BIBLE, '', /is missing/, /create client_bible\.json with \{"elements"/)]);
  });

  it('the plans/ folder', async () => {
    expect(await issuesOf(({ remove }) => remove('plans'))).toEqual([issue('plans/', '', /folder is missing/, /create it.*plans\/ep_001_plan\.json/)]);
  });

  it('a plans/ folder without any plan', async () => {
    const issues = await issuesOf(({ remove, write }) => {
      remove(PLAN);
      write('plans/notes.txt', 'todo: write the plan');
    });
    expect(issues).toEqual([issue('plans/', '', /has no plan/, /plans\/ep_001_plan\.json/)]);
  });

  it('all at once, next to problems in other files', async () => {
    const issues = await issuesOf(({ remove, plan }) => {
      remove(PROJECT);
      remove('refs/sedan_front.png');
      plan.sequences[0].elements.push('ghost');
    });
    expect(issues).toEqual([
      issue(PROJECT, '', /is missing/),
      issue(BIBLE, 'elements[2].frontal_image', /not found/),
      issue(PLAN, 'sequences[0].elements[4]', /unknown element "ghost"/),
    ]);
  });
});

describe('JSON syntax', () => {
  it('points at the line and column of a trailing comma', async () => {
    const issues = await issuesOf(({ write }) => write(PLAN, '{\n  "episode": "EP001",\n  "sequences": [\n    {"id": "SEQ01", "shots": [{"prompt": "x"}]},\n  ]\n}\n'));
    expect(issues).toEqual([issue(PLAN, '', /^is not valid JSON: a trailing comma before '\]'$/, /none after the last/)]);
    expect(issues[0]).toMatchObject({ line: 4, column: 48 });
    expect(formatIssue(issues[0]!)).toMatch(/^plans\/ep_001_plan\.json:4:48: is not valid JSON/);
  });

  it('points at a single-quoted field name', async () => {
    const issues = await issuesOf(({ write }) => write(PROJECT, "{\n  'id': 'driver-beware'\n}"));
    expect(issues).toEqual([issue(PROJECT, '', /not valid JSON: .*single quote/)]);
    expect(issues[0]).toMatchObject({ line: 2, column: 3 });
  });

  it('reports an empty file', async () => {
    const issues = await issuesOf(({ write }) => write(BIBLE, ''));
    expect(issues).toEqual([issue(BIBLE, '', /not valid JSON: the file ends where a value was expected/)]);
    expect(issues[0]).toMatchObject({ line: 1, column: 1 });
  });

  it.each([
    ['a comment', '{\n  // the pilot\n  "episode": "EP001"\n}', 2, 3, /a comment/],
    ['a line break inside a string', '{\n  "episode": "EP\n001"\n}', 2, 14, /not closed on its line/],
    ['a missing comma', '{\n  "episode": "EP001"\n  "sequences": []\n}', 3, 3, /expected ',' between two items/],
    ['text after the document', '{"episode": "EP001"}\n}', 2, 1, /after the end of the document/],
    ['a bare word', '{\n  "episode": EP001\n}', 2, 14, /expected a value, found 'E'/],
  ])('names %s and where it is', async (_what, text, line, column, reason) => {
    const issues = await issuesOf(({ write }) => write(PLAN, text));
    expect(issues).toEqual([issue(PLAN, '', reason)]);
    expect(issues[0]).toMatchObject({ line, column });
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const dir = await makeProject(({ project, write }) => write(PROJECT, `\ufeff${JSON.stringify(project)}`));
    expect((await loadProject(dir)).ok).toBe(true);
  });
});

describe('schema problems, in human words', () => {
  it('an unknown field, with the known ones and a likely spelling', async () => {
    const issues = await issuesOf(({ bible }) => {
      bible.elements[0].frontal_imag = bible.elements[0].frontal_image;
    });
    expect(issues).toEqual([
      issue(BIBLE, 'elements[0].frontal_imag', /unknown field "frontal_imag"/, /did you mean "frontal_image"\? remove it or check its spelling \(known fields: id, kind, name, .*negative_prompt\)/),
    ]);
  });

  it('an unknown field at the top of a file', async () => {
    expect(await issuesOf(({ project }) => (project.budget = 10))).toEqual([
      issue(PROJECT, 'budget', /unknown field "budget"/, /known fields: .*budget_usd/),
    ]);
  });

  it('a value outside an enum lists the allowed values', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[0].model = 'kling-3'))).toEqual([
      issue(PLAN, 'sequences[0].model', /not one of the allowed values \(got "kling-3"\)/, /did you mean "kling-o3"\? use one of: "kling-o3", "kling-o3-pro", "gemini-grid", "local"/),
    ]);
  });

  it('an element kind outside the enum', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[1].kind = 'car'))).toEqual([
      issue(BIBLE, 'elements[1].kind', /not one of the allowed values \(got "car"\)/, /character.*prop.*location.*vehicle/),
    ]);
  });

  it('the project type literal', async () => {
    expect(await issuesOf(({ project }) => (project.type = 'series'))).toEqual([
      issue(PROJECT, 'type', /must be "client_video" \(got "series"\)/, /set it to "client_video"/),
    ]);
  });

  it('a missing required field', async () => {
    expect(await issuesOf(({ bible }) => delete bible.elements[1].name)).toEqual([issue(BIBLE, 'elements[1].name', /^is required$/, /add it/)]);
  });

  it('a missing shot prompt', async () => {
    expect(await issuesOf(({ plan }) => delete plan.sequences[2].shots[1].prompt)).toEqual([
      issue(PLAN, 'sequences[2].shots[1].prompt', /^is required$/),
    ]);
  });

  it('a number written as a string', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[0].shots[1].duration = '5'))).toEqual([
      issue(PLAN, 'sequences[0].shots[1].duration', /expected a number, got a string/, /remove the quotes: 5/),
    ]);
  });

  it('a fractional duration', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[0].shots[1].duration = 4.5))).toEqual([
      issue(PLAN, 'sequences[0].shots[1].duration', /whole number.*\(got 4\.5\)/),
    ]);
  });

  it('a shot shorter than 3 s', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[0].shots[1].duration = 2))).toEqual([
      issue(PLAN, 'sequences[0].shots[1].duration', /at least 3 s \(got 2\)/, /at least 3/),
    ]);
  });

  it('an element id that is not a string', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[2].elements = ['maya', 7, 'parcel']))).toEqual([
      issue(PLAN, 'sequences[2].elements[1]', /expected a string, got a number/),
    ]);
  });

  it('an id with a space', async () => {
    expect(await issuesOf(({ plan }) => (plan.episode = 'EP 001'))).toEqual([issue(PLAN, 'episode', /must match.*\(got "EP 001"\)/, /^use "EP-001"$/)]);
  });

  it('a project id that is not a slug', async () => {
    expect(await issuesOf(({ project }) => (project.id = 'Driver Beware'))).toEqual([issue(PROJECT, 'id', /lowercase slug/, /^use "driver-beware"$/)]);
  });

  it('an empty or blank shot prompt', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[4].shots[0].prompt = '   '))).toEqual([
      issue(PLAN, 'sequences[4].shots[0].prompt', /must not be empty/),
    ]);
  });

  it('a shot prompt over 2,500 characters', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[4].shots[0].prompt = 'rain'.repeat(650)))).toEqual([
      issue(PLAN, 'sequences[4].shots[0].prompt', /at most 2500 characters \(got 2600 characters\)/, /shorten/),
    ]);
  });

  it('more than 6 shots', async () => {
    const issues = await issuesOf(({ plan }) => {
      plan.sequences[4].shots = Array.from({ length: 7 }, () => ({ prompt: 'Insert: rain on glass', duration: 3 }));
    });
    expect(issues).toEqual([
      issue(PLAN, 'sequences[4].shots', /at most 6 shots.*\(got 7\)/),
      issue(PLAN, 'sequences[4].shots', /last 21 s in total/),
    ]);
  });

  it('a sequence without shots', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[4].shots = []))).toEqual([issue(PLAN, 'sequences[4].shots', /at least one shot/)]);
  });

  it('a plan without sequences', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences = []))).toEqual([issue(PLAN, 'sequences', /at least one sequence/)]);
  });

  it('more than 3 reference images', async () => {
    const issues = await issuesOf(({ bible }) => {
      bible.elements[0].reference_images = Array(4).fill('refs/maya_side.png');
    });
    expect(issues).toEqual([issue(BIBLE, 'elements[0].reference_images', /at most 3 reference_images/)]);
  });

  it("a trigger without its @ (and the prompts' @highway is not blamed for it)", async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[3].trigger = 'highway'))).toEqual([
      issue(BIBLE, 'elements[3].trigger', /trigger must be @/),
    ]);
  });

  it('a start frame with both a prompt and an image', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[1].start_frame.image = 'refs/seq04_gas_station.png'))).toEqual([
      issue(PLAN, 'sequences[1].start_frame', /exactly one of: \{ "prompt": … \} or \{ "image": … \}/, /keep only one of "prompt", "image"/),
    ]);
  });

  it('a start frame with neither', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[1].start_frame = {}))).toEqual([
      issue(PLAN, 'sequences[1].start_frame', /exactly one of/, /write one of "prompt", "image"/),
    ]);
  });

  it('a file that is not an object', async () => {
    expect(await issuesOf(({ write }) => write(BIBLE, '[]'))).toEqual([issue(BIBLE, '', /expected an object.*got a list/)]);
  });
});

describe('rules across elements, sequences and files', () => {
  it('duplicate element ids in the bible', async () => {
    const issues = await issuesOf(({ bible }) => bible.elements.push({ ...bible.elements[1], trigger: '@van2' }));
    expect(issues).toEqual([issue(BIBLE, 'elements[5].id', /duplicate element id "van" \(also elements\[1\]\)/, /its own id/)]);
  });

  it('duplicate triggers in the bible', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[2].trigger = '@van'))).toEqual([
      issue(BIBLE, 'elements[2].trigger', /duplicate trigger "@van" \(also elements\[1\]\)/, /its own trigger/),
    ]);
  });

  it('a trigger that looks like @ElementN', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[4].trigger = '@Element2'))).toContainEqual(
      issue(BIBLE, 'elements[4].trigger', /looks like the pipeline's own @ElementN/, /named after the element/),
    );
  });

  it("an unknown element id suggests the closest one, without blaming the prompts' @sedan for it", async () => {
    const issues = await issuesOf(({ plan }) => (plan.sequences[1].elements[2] = 'sedna'));
    expect(issues).toEqual([
      issue(PLAN, 'sequences[1].elements[2]', /unknown element "sedna"/, /did you mean "sedan"\? known element ids: maya, van, sedan, highway, parcel/),
    ]);
  });

  it('an element listed twice in one sequence', async () => {
    expect(await issuesOf(({ plan }) => plan.sequences[2].elements.push('maya'))).toEqual([
      issue(PLAN, 'sequences[2].elements[2]', /"maya" is listed twice \(also elements\[0\]\)/, /once/),
    ]);
  });

  it('duplicate sequence ids', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[4].id = 'SEQ02'))).toEqual([
      issue(PLAN, 'sequences[4].id', /duplicate sequence id "SEQ02" \(also sequences\[1\]\)/),
    ]);
  });

  it('the same episode in two plans', async () => {
    const issues = await issuesOf(({ plan, write }) => write('plans/ep_001_copy.json', JSON.stringify(plan)));
    expect(issues).toEqual([issue('plans/ep_001_plan.json', 'episode', /episode "EP001" is also the episode of plans\/ep_001_copy\.json/, /one plan/)]);
  });

  it('shots longer than 15 s together', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[0].shots[2].duration = 6))).toEqual([
      issue(PLAN, 'sequences[0].shots', /last 16 s in total; a sequence lasts at most 15 s/, /shorten|new sequence/),
    ]);
  });

  it('counts a shot without a duration as 5 s', async () => {
    const issues = await issuesOf(({ plan }) => {
      plan.sequences[0].shots[0].duration = 6;
      delete plan.sequences[0].shots[2].duration;
    });
    expect(issues).toEqual([issue(PLAN, 'sequences[0].shots', /last 16 s in total/)]);
  });

  it('a trigger no element has, with the likely spelling', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[2].shots[1].prompt = 'Close-up: @Maya peels back the paper'))).toEqual([
      issue(PLAN, 'sequences[2].shots[1].prompt', /@Maya is not the trigger of any element in client_bible\.json/, /did you mean "@maya"\?.*add an element/),
    ]);
  });

  it("a trigger of an element that is not in the sequence's elements", async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[4].shots[1].prompt = 'Wide shot: @maya alone as @van pulls away'))).toEqual([
      issue(PLAN, 'sequences[4].shots[1].prompt', /@van is the trigger of element "van", which is not in this sequence's elements/, /add "van" to sequences\[4\]\.elements/),
    ]);
  });

  it('@ElementN written by hand', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[4].shots[1].prompt = 'Wide shot: @Element1 alone'))).toEqual([
      issue(PLAN, 'sequences[4].shots[1].prompt', /@Element1 is written by hand/, /trigger/),
    ]);
  });

  it('an email address is not a trigger', async () => {
    const dir = await makeProject(({ plan }) => (plan.sequences[4].shots[1].prompt = 'Insert: the scanner shows maya@beware.example'));
    expect((await loadProject(dir)).ok).toBe(true);
  });

  it('an image model as a sequence model', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[0].model = 'gemini-grid'))).toEqual([
      issue(PLAN, 'sequences[0].model', /"gemini-grid" is not a video model/, /kling-o3, kling-o3-pro, local/),
    ]);
  });

  it('an image model as the default model', async () => {
    expect(await issuesOf(({ project }) => (project.default_model = 'gemini-grid'))).toEqual([
      issue(PROJECT, 'default_model', /"gemini-grid" is not a video model/),
    ]);
  });
});

describe('images', () => {
  it('a missing image, with the likely file', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[0].frontal_image = 'refs/maya_front.jpg'))).toEqual([
      issue(BIBLE, 'elements[0].frontal_image', /image "refs\/maya_front\.jpg" not found/, /did you mean "refs\/maya_front\.png"\?/),
    ]);
  });

  it('a missing reference image', async () => {
    expect(await issuesOf(({ bible }) => bible.elements[1].reference_images.push('refs/van_back.png'))).toEqual([
      issue(BIBLE, 'elements[1].reference_images[1]', /not found/),
    ]);
  });

  it('a missing start frame image', async () => {
    expect(await issuesOf(({ remove }) => remove('refs/seq04_gas_station.png'))).toEqual([
      issue(PLAN, 'sequences[3].start_frame.image', /"refs\/seq04_gas_station\.png" not found/),
    ]);
  });

  it('a path escaping the project folder', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[0].frontal_image = '../elsewhere/maya.png'))).toEqual([
      issue(BIBLE, 'elements[0].frontal_image', /points outside the project folder/, /copy the image into the project folder/),
    ]);
  });

  it('a sneaky escape through a subfolder', async () => {
    expect(await issuesOf(({ plan }) => (plan.sequences[3].start_frame.image = 'refs/../../frame.png'))).toEqual([
      issue(PLAN, 'sequences[3].start_frame.image', /points outside the project folder/),
    ]);
  });

  it('an absolute path', async () => {
    expect(await issuesOf(({ dir, bible }) => (bible.elements[0].frontal_image = path.join(dir, 'refs/maya_front.png')))).toEqual([
      issue(BIBLE, 'elements[0].frontal_image', /is an absolute path/, /relative to the folder/),
    ]);
  });

  it('a Windows path', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[0].frontal_image = 'refs\\maya_front.png'))).toEqual([
      issue(BIBLE, 'elements[0].frontal_image', /uses backslashes/, /"refs\/maya_front\.png"/),
    ]);
  });

  it('a URL', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[0].frontal_image = 'https://example.com/maya.png'))).toEqual([
      issue(BIBLE, 'elements[0].frontal_image', /is a URL/),
    ]);
  });

  it('a link to a file outside the project', async () => {
    const outside = path.join(os.tmpdir(), `recoil-outside-${process.pid}.png`);
    await writeFile(outside, await png());
    const issues = await issuesOf(async ({ dir, bible }) => {
      await symlink(outside, path.join(dir, 'refs/linked.png'));
      bible.elements[0].frontal_image = 'refs/linked.png';
    }).finally(() => rm(outside));
    expect(issues).toEqual([issue(BIBLE, 'elements[0].frontal_image', /link to a file outside the project folder/)]);
  });

  it('a .png that is really text', async () => {
    expect(await issuesOf(({ write }) => write('refs/van_side.png', 'Access denied\n'))).toEqual([
      issue(BIBLE, 'elements[1].reference_images[0]', /is not a PNG, JPEG or WebP image \(it is text: "Access denie…"\)/, /re-export/),
    ]);
  });

  it('an empty image file', async () => {
    expect(await issuesOf(({ write }) => write('refs/parcel.png', ''))).toEqual([issue(BIBLE, 'elements[4].frontal_image', /is empty/)]);
  });

  it('a damaged PNG with a right signature', async () => {
    const damaged = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    expect(await issuesOf(({ write }) => write('refs/parcel.png', damaged))).toEqual([
      issue(BIBLE, 'elements[4].frontal_image', /cannot be read as an image/, /damaged/),
    ]);
  });

  it('a folder where an image should be', async () => {
    expect(await issuesOf(({ bible }) => (bible.elements[4].frontal_image = 'refs'))).toEqual([
      issue(BIBLE, 'elements[4].frontal_image', /is a folder/),
    ]);
  });

  it('reports a shared image at every place that uses it', async () => {
    const issues = await issuesOf(({ bible, plan, remove }) => {
      bible.elements[2].reference_images = ['refs/maya_side.png'];
      plan.sequences[3].start_frame.image = 'refs/maya_side.png';
      remove('refs/maya_side.png');
    });
    expect(issues.map((i) => `${i.file} ${i.path}`)).toEqual([
      `${BIBLE} elements[0].reference_images[0]`,
      `${BIBLE} elements[2].reference_images[0]`,
      `${PLAN} sequences[3].start_frame.image`,
    ]);
  });

  it('accepts JPEG and WebP', async () => {
    const dir = await makeProject(async ({ dir: root, bible }) => {
      await mkdir(path.join(root, 'refs/photos'));
      await sharp(await png(320, 200)).jpeg().toFile(path.join(root, 'refs/photos/van.jpg'));
      await sharp(await png(320, 200)).webp().toFile(path.join(root, 'refs/photos/sedan.webp'));
      bible.elements[1].frontal_image = 'refs/photos/van.jpg';
      bible.elements[2].reference_images = ['refs/photos/sedan.webp'];
    });
    const result = await loadProject(dir);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe('episodes and --only', () => {
  it('an unknown episode lists the episodes found', async () => {
    const result = await loadEpisode(EXAMPLE_PROJECT, 'EP01');
    expect(result.ok ? [] : result.issues).toEqual([
      issue('plans/', '', /no plan for episode "EP01"/, /did you mean "EP001"\? episodes found: EP001 \(plans\/ep_001_plan\.json\)/),
    ]);
  });

  it('an unknown sequence in --only lists the plan\'s sequences', async () => {
    const result = await loadEpisode(EXAMPLE_PROJECT, 'EP001', { only: ['SEQ02', 'SEQ6'] });
    expect(result.ok ? [] : result.issues).toEqual([
      issue(PLAN, 'sequences', /no sequence "SEQ6" in episode EP001/, /sequences in this plan: SEQ01, SEQ02, SEQ03, SEQ04, SEQ05/),
    ]);
    // The bundled plan opens its list of sequences on line 5.
    expect(result.ok ? undefined : result.issues[0]).toMatchObject({ line: 5, column: 3 });
  });

  it('--only keeps the chosen sequences, in plan order', async () => {
    const result = await loadEpisode(EXAMPLE_PROJECT, 'EP001', { only: ['SEQ04', 'SEQ02'] });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.plan.sequences.map((s) => s.id)).toEqual(['SEQ02', 'SEQ04']);
  });

  it("a broken plan of another episode doesn't block this one", async () => {
    const dir = await makeProject(({ write }) => write('plans/ep_002_plan.json', JSON.stringify({ episode: 'EP002', sequences: [] })));
    expect((await loadProject(dir)).ok).toBe(false);
    const result = await loadEpisode(dir, 'EP001');
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('a plan whose episode cannot be read is still checked', async () => {
    const dir = await makeProject(({ write }) => write('plans/ep_002_plan.json', '{"episode": "EP002",'));
    const result = await loadEpisode(dir, 'EP001');
    expect(result.ok ? [] : result.issues).toEqual([issue('plans/ep_002_plan.json', '', /not valid JSON/)]);
  });
});

describe('the loader only reads', () => {
  /** Every entry with its size and mtime, the folder itself included (adding or removing a file changes it). */
  async function snapshot(dir: string): Promise<string[]> {
    const entries = ['.', ...(await readdir(dir, { recursive: true }))];
    const stamped = await Promise.all(
      entries.map(async (entry) => {
        const info = await stat(path.join(dir, entry));
        return `${entry} ${info.size} ${info.mtimeMs}`;
      }),
    );
    return stamped.sort();
  }

  it('writes nothing, valid or not', async () => {
    const valid = await makeProject();
    const broken = await makeProject(({ plan, write }) => {
      plan.sequences[0].shots[0].duration = 20;
      plan.sequences[1].elements.push('ghost');
      write('refs/parcel.png', 'not an image');
    });
    for (const dir of [valid, broken]) {
      const before = await snapshot(dir);
      await loadProject(dir);
      await loadEpisode(dir, 'EP001', { only: ['SEQ01'] });
      expect(await snapshot(dir)).toEqual(before);
    }
  });
});
