// Turns a tree into HTML with comment markers around every part whose place
// in the DOM can later be found again: <!--lvt:ID--> … <!--/lvt:ID-->.
// Nodes and ranges are marked by the identity of their object (patched
// objects inherit the id of the object they were patched from); range items
// likewise; a text dynamic outside range items is marked as slot "ID.i" of
// its owner node. A part is marked only where the scanner says the markers
// stay in place (element content, balanced tags); see scan.ts.

import { type Mark, type Scan, scan } from './scan';
import { type Dyn, type TNode, isRange } from './tree';

export const START = 'lvt:';
export const END = '/lvt:';

const ids = new WeakMap<object, string>();
let next = 1;

/** id is the marker id of a node, range or item. */
export function id(o: object): string {
  let v = ids.get(o);
  if (v === undefined) ids.set(o, (v = '' + next++));
  return v;
}

/** inherit gives n, patched from o, the markers of o. */
export function inherit(n: object, o: object): void {
  const v = ids.get(o);
  if (v !== undefined) ids.set(n, v);
}

/** The marker id of dynamic i of owner, whose value is d. */
export const slot = (owner: TNode, i: number, d: Dyn): string => (typeof d === 'string' ? id(owner) + '.' + i : id(d));

/** page renders a whole tree, markers included. */
export const page = (root: TNode): string => node(root, scan(), false);

/** part renders dynamic i of owner with its markers for a place in
 * parent, or returns null when it cannot be marked there. */
export const part = (owner: TNode, i: number, d: Dyn, inItem: boolean, parent: Element): string | null =>
  marked(parent, (sc) => dyn(owner, i, d, sc, inItem));

/** item renders a range item with its markers, or null (see part). */
export const item = (it: TNode, parent: Element): string | null => marked(parent, (sc) => itemHTML(it, sc));

function marked(parent: Element, fn: (sc: Scan) => string): string | null {
  const sc = scan(parent);
  const m = sc.begin();
  const h = fn(sc);
  return sc.end(m) && h.startsWith('<!--') ? h : null;
}

function node(n: TNode, sc: Scan, inItem: boolean): string {
  const { s, d } = n;
  let out = '';
  d.forEach((v, i) => {
    sc.feed(s[i]);
    out += s[i] + dyn(n, i, v, sc, inItem);
  });
  sc.feed(s[d.length]);
  return out + s[d.length];
}

/** wrap puts the markers of id around h if markers could be placed where
 * the part began (can) and what was fed to sc since m is balanced. */
const wrap = (sc: Scan, m: Mark, can: boolean, id: string, h: string) =>
  sc.end(m) && can ? `<!--${START}${id}-->${h}<!--${END}${id}-->` : h;

function dyn(owner: TNode, i: number, d: Dyn, sc: Scan, inItem: boolean): string {
  const can = sc.canMark();
  const m = sc.begin();
  let h = '';
  if (typeof d === 'string') {
    sc.feed(d);
    h = d;
    // Text inside range items is not marked: the item is.
    if (inItem) return sc.end(m), h;
  } else if (isRange(d)) {
    for (const it of d.r) h += itemHTML(it, sc);
  } else {
    h = node(d, sc, inItem);
  }
  return wrap(sc, m, can, slot(owner, i, d), h);
}

function itemHTML(it: TNode, sc: Scan): string {
  const can = sc.canMark();
  const m = sc.begin();
  return wrap(sc, m, can, id(it), node(it, sc, true));
}
