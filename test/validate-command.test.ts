import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, removeFixtures } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';

const PLAN = 'plans/ep_001_plan.json';

afterAll(removeFixtures);

/** Line and column (1-based) of the first occurrence of `needle` in a file of the project. */
async function positionOf(dir: string, file: string, needle: string): Promise<string> {
  const lines = (await readFile(path.join(dir, file), 'utf8')).split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  return `${line + 1}:${(lines[line]?.indexOf(needle) ?? 0) + 1}`;
}

describe('recoil validate points editors at each problem', () => {
  it('a trailing comma: file:line:column of the comma, exit 2', async () => {
    const dir = await makeProject(({ write }) => write(PLAN, '{\n  "episode": "EP001",\n  "sequences": [\n    {"id": "SEQ01"},\n  ]\n}\n'));
    const { code, stdout, stderr } = await runCli(['validate', dir]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/plans\/ep_001_plan\.json:4:20: is not valid JSON: a trailing comma before '\]' \(fix: .*none after the last\)/);
  });

  it('an unknown element: file:line:column next to its JSON path, exit 2', async () => {
    const dir = await makeProject(({ plan }) => {
      plan.sequences[2].elements.push('ghost');
    });
    const { code, stderr } = await runCli(['validate', dir]);
    expect(code).toBe(2);
    const at = await positionOf(dir, PLAN, '"ghost"');
    expect(stderr).toContain(`plans/ep_001_plan.json:${at} sequences[2].elements[2]: unknown element "ghost"`);
  });
});
