import { describe, expect, it } from 'vitest';
import { type Statics, applyPatch, html, parseTree } from '../src/tree';
import { fixturesDir, load, sharedDir } from './vectors';

function replay(steps: { html: string; tree: unknown; patch?: unknown }[]) {
  const known: Statics = new Map();
  let held = parseTree(steps[0].tree, known);
  expect(html(held)).toBe(steps[0].html);
  steps.slice(1).forEach((step, k) => {
    expect(step.patch, `step ${k + 1} has a patch`).toBeDefined();
    held = applyPatch(held, step.patch, known).root;
    expect(html(held), `step ${k + 1} after patch`).toBe(step.html);
    expect(html(parseTree(step.tree, new Map())), `step ${k + 1} full tree`).toBe(step.html);
  });
}

describe('shared protocol vectors (testdata/protocol)', () => {
  const files = load(sharedDir);
  it('exist', () => {
    expect(files.length, `no vector files in ${sharedDir}`).toBeGreaterThan(0);
  });
  for (const { file, vector } of files) {
    it(`${file}: ${vector.name}`, () => replay(vector.steps));
  }
});

describe('client fixtures (test/fixtures)', () => {
  const files = load(fixturesDir);
  it('exist', () => expect(files.length).toBeGreaterThan(0));
  for (const { file, vector } of files) {
    it(`${file}: ${vector.name}`, () => replay(vector.steps));
  }
});
