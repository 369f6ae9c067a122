// Applies a new tree to the DOM at the cost of what changed. Walking the old
// and new trees together, unchanged parts are skipped by reference; a changed
// part is re-rendered and morphed in its marked region; range items are
// inserted, removed, moved and patched one by one. Whatever cannot be located
// falls back to the enclosing marked part and finally to the whole body.

import { type Region, markers } from './markers';
import type { Morph } from './morph';
import { id, inherit, item, page, part, slot } from './render';
import { type Dyn, type TNode, type TRange, isRange } from './tree';

export interface Updater {
  /** Number of whole-body morphs so far (tests and benchmarks read it). */
  fulls: number;
  /** full renders the whole tree and morphs the body into it. */
  full(root: TNode): void;
  /** apply updates the DOM from the tree old to next; from maps each patched
   * object of next to the object of old it was patched from. */
  apply(old: TNode, next: TNode, from: Map<object, object>): void;
}

export function updater(doc: Document, morph: Morph): Updater {
  const mk = markers(doc);
  let from = new Map<object, object>();

  const full = (root: TNode) => {
    u.fulls++;
    keepFocus(doc, () => {
      morph.page(page(root));
      mk.reset(doc.body);
    });
  };

  /** node applies the changes between o and n; false if some could not be
   * located. It goes on after a failure, so that everything locatable is in
   * place and a fallback morph above only sees what remains. */
  const node = (o: TNode, n: TNode, inItem: boolean): boolean => {
    inherit(n, o);
    let ok = true;
    n.d.forEach((nd, i) => {
      const od = o.d[i];
      if (od !== nd && !dyn(o, n, i, od, nd, inItem)) ok = false;
    });
    return ok;
  };

  const dyn = (o: TNode, n: TNode, i: number, od: Dyn, nd: Dyn, inItem: boolean): boolean => {
    if (typeof nd === 'object' && from.get(nd) === od && (isRange(nd) ? range(od as TRange, nd) : node(od as TNode, nd, inItem)))
      return true;
    const reg = mk.find(slot(o, i, od));
    return !!reg && fill(reg, (p) => part(n, i, nd, inItem, p));
  };

  const range = (o: TRange, n: TRange): boolean => {
    inherit(n, o);
    const reg = mk.find(id(o));
    if (!reg) return false;
    const parent = reg.a.parentNode as Element;
    const find = (it: TNode) => {
      const g = mk.find(id(it));
      return g && g.a.parentNode === parent ? g : null;
    };
    const sync = (it: TNode, old: TNode, g: Region | null) =>
      !!g && (it === old || node(old, it, true) || fill(g, (c) => item(it, c)));
    // Where each new item comes from: an old index, or -1 for a new item.
    const index = new Map<unknown, number>();
    o.r.forEach((it, i) => index.set(it, i + 1));
    const src = n.r.map((it) => (index.get(it) || index.get(from.get(it)) || 0) - 1);
    const used = new Set(src);
    for (let i = 0; i < o.r.length; i++) {
      if (used.has(i)) continue;
      const g = find(o.r[i]);
      if (!g) return false;
      for (let c: Node | null = g.a, next: Node | null; c; c = next) {
        next = c === g.b ? null : c.nextSibling;
        parent.removeChild(c);
      }
    }
    const stay = increasing(src);
    // Insertions and moves go before the anchor: the range's end marker, or
    // the start marker of the item after, looked up only when needed.
    let anchorNode: Node | null = reg.b;
    let anchorItem: TNode;
    for (let j = n.r.length; j--; ) {
      const it = n.r[j];
      const i = src[j];
      const old = o.r[i];
      if (i >= 0 && stay[j]) {
        // In place: only a patched item needs work.
        if (it !== old && !sync(it, old, find(old))) return false;
        anchorNode = null;
        anchorItem = old;
        continue;
      }
      if (!anchorNode) {
        const g = find(anchorItem!);
        anchorNode = g && g.a;
      }
      const before = anchorNode;
      if (!before) return false;
      if (i < 0) {
        const h = item(it, parent);
        if (h === null) return false;
        const nodes = morph.parse(h, parent);
        for (const x of nodes) parent.insertBefore(x, before);
        for (const x of nodes) {
          mk.scan(x);
          morph.added(x);
        }
        anchorNode = nodes[0];
        continue;
      }
      const g = find(old);
      if (!g) return false;
      for (let c: Node = g.a, next: Node; c !== before; c = next) {
        next = c === g.b ? before : c.nextSibling!;
        move(parent, c, before);
      }
      if (!sync(it, old, g)) return false;
      anchorNode = g.a;
    }
    return true;
  };

  /** fill replaces a region and its markers by a rendered part. */
  const fill = ({ a, b }: Region, render: (parent: Element) => string | null): boolean => {
    const parent = a.parentNode as Element;
    const h = render(parent);
    if (h === null) return false;
    const nodes = morph.parse(h, parent);
    setData(a, nodes.shift()!);
    setData(b, nodes.pop()!);
    morph.region(a, b, nodes);
    for (let c: Node | null = a; c; c = c === b ? null : c.nextSibling) mk.scan(c);
    return true;
  };

  const u: Updater = {
    fulls: 0,
    full,
    apply(old, next, f) {
      if (old === next) return;
      from = f;
      keepFocus(doc, () => node(old, next, false) || full(next));
      from = new Map();
    },
  };
  return u;
}

function setData(c: Comment, n: Node): void {
  const d = (n as Comment).data;
  if (c.data !== d) c.data = d;
}

function move(parent: Node, n: Node, before: Node): void {
  const p = parent as Node & { moveBefore?: (n: Node, b: Node) => void };
  if (p.moveBefore) {
    try {
      return p.moveBefore(n, before);
    } catch {
      // not movable atomically here: fall back to a plain move
    }
  }
  parent.insertBefore(n, before);
}

/** increasing marks the positions of a longest increasing subsequence of the
 * non-negative entries of a: the items that can stay where they are. */
export function increasing(a: number[]): boolean[] {
  const tails: number[] = []; // positions in a
  const prev: number[] = [];
  a.forEach((v, j) => {
    if (v < 0) return;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    prev[j] = lo ? tails[lo - 1] : -1;
    tails[lo] = j;
  });
  const out: boolean[] = [];
  for (let j = tails.length ? tails[tails.length - 1] : -1; j >= 0; j = prev[j]) out[j] = true;
  return out;
}

/** keepFocus runs fn and gives focus and selection back to the element that
 * had them if fn moved it. */
export function keepFocus(doc: Document, fn: () => void): void {
  const el = doc.activeElement as HTMLInputElement | null;
  const a = el && el.selectionStart;
  const b = el && el.selectionEnd;
  fn();
  if (!el || el === doc.activeElement || !el.isConnected) return;
  el.focus();
  if (a != null) el.setSelectionRange(a, b);
}
