import { describe, expect, it } from 'vitest';
import { page } from '../src/render';
import { scan } from '../src/scan';
import { parseTree } from '../src/tree';

/** marked renders a tree of statics around one text dynamic and one node
 * dynamic, and reports which of the two got markers. */
function marked(pre: string, mid: string, post: string, inner = '<b>x</b>'): [boolean, boolean] {
  const tree = parseTree({ s: [pre, mid, post], 0: 't', 1: { s: [inner] } }, new Map());
  const h = page(tree);
  return [/<!--lvt:\d+\.0-->/.test(h), /<!--lvt:\d+-->/.test(h)];
}

describe('where markers go', () => {
  it('in element content', () => {
    expect(marked('<p>', ' and ', '</p>')).toEqual([true, true]);
  });
  it('not inside a tag or an attribute value', () => {
    expect(marked('<a href="', '" title=', '>x</a>')).toEqual([false, false]);
  });
  it('not in raw text (script, style, textarea, title)', () => {
    expect(marked('<script>var a = ', ';</script><textarea>', '</textarea>')).toEqual([false, false]);
    expect(marked('<title>', '</title><style>', '</style>')).toEqual([false, false]);
  });
  it('not right after <pre>, whose first newline the parser drops', () => {
    expect(marked('<pre>', '</pre><pre>x', '</pre>')).toEqual([false, true]);
  });
  it('not around parts that are not balanced', () => {
    expect(marked('<div>', '', '</div>', '<b>x')).toEqual([true, false]);
    expect(marked('<div>', '', '</div>', '</i><i>')).toEqual([true, false]);
  });
  it('not around table rows the parser would move into an implied <tbody>', () => {
    expect(marked('<table>', '', '</table>', '<tr><td>x</td></tr>')).toEqual([false, false]);
    expect(marked('<table><tbody>', '', '</tbody></table>', '<tr><td>x</td></tr>')).toEqual([false, true]);
  });
  it('self-closing tags count only in svg', () => {
    expect(marked('<svg>', '', '</svg>', '<path d="M0"/>')).toEqual([true, true]);
    expect(marked('<div>', '', '</div>', '<span/>')).toEqual([true, false]);
  });
  it('tags split across chunks', () => {
    const sc = scan();
    const m = sc.begin();
    for (const c of ['<di', 'v cla', 'ss="a>b"', '>', 'x</d', 'iv>']) sc.feed(c);
    expect(sc.end(m)).toBe(true);
    expect(sc.canMark()).toBe(true);
    sc.feed('<!-- <div> ');
    expect(sc.canMark()).toBe(false);
    sc.feed('-->');
    expect(sc.canMark()).toBe(true);
  });
});
