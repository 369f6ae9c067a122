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

describe('text patches [n, "suffix"] (wire format v3)', () => {
  // Dynamic 0 is text with an accent, a CJK letter and an emoji (two UTF-16
  // code units); 1 is a node; 2 a range.
  const base = () => {
    const known: Statics = new Map();
    const root = parseTree({ p: { 0: ['<p>', '</p>', '', ''], 1: ['<b>', '</b>'], 2: ['<i>', '</i>'] }, s: 0, 0: 'é日😀 &amp; x', 1: { s: 1, 0: 'b' }, 2: { s: 2, r: [['y']] } }, known);
    return { root, known };
  };
  for (const [patch, want] of [
    [[1, ''], 'é'],
    [[2, '!'], 'é日!'],
    [[4, 'b'], 'é日😀b'],
    [[6, 'lt; y'], 'é日😀 &lt; y'],
    [[12, ''], 'é日😀 &amp; x'],
    [[12, '!'], 'é日😀 &amp; x!'],
  ] as const) {
    it(`keeps a prefix: ${JSON.stringify(patch)}`, () => {
      const { root, known } = base();
      expect(html(applyPatch(root, { 0: patch }, known).root)).toBe(`<p>${want}</p><b>b</b><i>y</i>`);
    });
  }
  it('is read as a range patch on a range', () => {
    const { root, known } = base();
    expect(html(applyPatch(root, { 2: [[{ 0: 'z' }], ['w']] }, known).root)).toBe('<p>é日😀 &amp; x</p><b>b</b><i>z</i><i>w</i>');
  });
  for (const patch of [
    { 0: [0, 'x'] },
    { 0: [13, 'x'] },
    { 0: [-1, 'x'] },
    { 0: [1.5, 'x'] },
    { 0: ['1', 'x'] },
    { 0: [1, 2] },
    { 0: [1, 'x', 2] },
    { 0: [1] },
    { 0: [] },
    { 1: [1, 'x'] },
    { 1: { 0: [2, 'x'] } },
  ]) {
    it(`rejects ${JSON.stringify(patch)}`, () => {
      const { root, known } = base();
      expect(() => applyPatch(root, patch, known)).toThrow();
    });
  }
});
