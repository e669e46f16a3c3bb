import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';

describe('the workflow bundle', () => {
  it('holds no zod: workflows take validated input, and the bundle stays small', async () => {
    const code = await readFile(inject('workflowBundlePath'), 'utf8');
    expect(code).toContain('sequenceWorkflow');
    expect([...new Set(code.match(/node_modules\/zod\/[\w/.-]+/g) ?? [])]).toEqual([]);
  });
});
