// A measured test: one changed row in a 1000-row list, applied incrementally
// versus re-rendering and morphing the whole body.
import { describe, expect, it } from 'vitest';
import { applyPatch } from '../src/tree';
import { Page, resetDocument } from './dom';
import { doc } from './harness';

const N = 1000;
const [pre, mid, post] = doc('<h1>|</h1><ul>|</ul>').split('|');
const ITEM = ['<li data-key="', '"><span>', '</span> <button lvt-click="del" lvt-data-id="', '">×</button></li>'];
const tree = {
  s: [pre, mid, post],
  0: String(N),
  1: { s: ITEM, r: Array.from({ length: N }, (_, i) => ({ 0: 'k' + i, 1: 'Item ' + i, 2: 'k' + i })) },
};
const rowPatch = (v: string) => ({ 1: [500, [{ 1: v }]] });

function time(fn: (i: number) => void, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return (performance.now() - t0) / n;
}

describe('1000-row list, one row changes', () => {
  it('costs one row, not the page', { timeout: 60_000 }, () => {
    resetDocument();
    const page = new Page();
    page.load(tree);
    const li = document.querySelectorAll('li')[500];

    // the DOM work touches only that row
    const mo = new MutationObserver(() => {});
    mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    page.patch(rowPatch('warm'));
    const records = mo.takeRecords();
    mo.disconnect();
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(li.contains(r.target)).toBe(true);
    expect(page.up.fulls).toBe(1); // the load only

    const fulls = page.up.fulls;
    const incremental = time((i) => page.patch(rowPatch('v' + i)), 200);
    expect(page.up.fulls).toBe(fulls);
    expect(li.textContent).toContain('v199');

    const full = time((i) => {
      const a = applyPatch(page.tree, rowPatch('f' + i), page.known);
      page.tree = a.root;
      page.up.full(a.root);
    }, 5);
    expect(li.textContent).toContain('f4');

    console.info(
      `1000 rows, one row patched: incremental ${incremental.toFixed(3)} ms, whole-body morph ${full.toFixed(1)} ms (${Math.round(full / incremental)}x) [happy-dom]`,
    );
    expect(incremental * 20).toBeLessThan(full);
  });
});
