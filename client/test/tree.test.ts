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

describe('malformed messages (wire format v2)', () => {
  const base = () => {
    const known: Statics = new Map();
    const root = parseTree({ p: { 0: ['<ul>', '</ul>', ''], 1: ['<li>', '</li>'], 2: ['<hr>'] }, s: 0, 0: { s: 1, r: [{ 0: 'a' }, { 0: 'b' }] }, 1: 2 }, known);
    return { root, known };
  };
  it('reads ids, nodes without dynamics and cursor operations', () => {
    const { root, known } = base();
    expect(html(root)).toBe('<ul><li>a</li><li>b</li></ul><hr>');
    const a = applyPatch(root, { p: { 3: ['<br>'] }, 0: [-1, [{ 0: 'B' }], { 0: 'c' }, [0, 1], ['d']], 1: 3 }, known);
    expect(html(a.root)).toBe('<ul><li>B</li><li>c</li><li>a</li><li>d</li></ul><br>');
    // Statics once received stay known to the connection.
    expect(html(applyPatch(a.root, { 1: 2 }, known).root)).toBe('<ul><li>B</li><li>c</li><li>a</li><li>d</li></ul><hr>');
    expect(html(parseTree({ p: { 0: ['<i>', '</i>'] }, s: 0, 0: { s: 0, r: [['x'], { 0: 'y' }] } }, new Map()))).toBe('<i><i>x</i><i>y</i></i>');
  });
  for (const patch of [
    { 1: 9 },
    { 1: 0 },
    { 1: -1 },
    { 1: 1.5 },
    { 0: [0] },
    { 0: [3] },
    { 0: [-3] },
    { 0: [2, [{ 0: 'x' }]] },
    { 0: [['x', 'y']] },
    { 0: [[]] },
    { 0: { r: [['x']] } },
    { 0: { s: 1, r: ['x'] } },
    { 0: [[0, 0]] },
    { 0: [[2, 1]] },
    { 0: [[0, 1, 2]] },
    { 0: ['x'] },
    { 0: [null] },
    { 1: [1] },
    { 0: { 0: 'x' } },
    { 1: { s: '0123456789abcdef' } },
  ]) {
    it(`rejects ${JSON.stringify(patch)}`, () => {
      const { root, known } = base();
      expect(() => applyPatch(root, patch, known)).toThrow();
    });
  }
});
