// Applies a new tree to the DOM at the cost of what changed. Walking the old
// and new trees together, unchanged parts are skipped by reference; a changed
// part is re-rendered and morphed in its marked region; range items are
// inserted, removed, moved and patched one by one. Whatever cannot be located
// falls back to the enclosing marked part and finally to the whole body.

import type { Region } from './markers';
import { Markers } from './markers';
import { Morph } from './morph';
import { type Context, Renderer } from './render';
import { type Dyn, type TNode, type TRange, isRange } from './tree';

export class Updater {
  readonly markers: Markers;
  /** Number of whole-body morphs so far (tests and benchmarks read it). */
  fulls = 0;
  private from_ = new Map<object, object>();

  constructor(
    private readonly doc_: Document,
    private readonly r_: Renderer,
    private readonly morph_: Morph,
  ) {
    this.markers = new Markers(doc_);
  }

  /** full renders the whole tree and morphs the body into it. */
  full(root: TNode): void {
    this.fulls++;
    keepFocus(this.doc_, () => {
      this.morph_.page(this.r_.page(root));
      this.markers.reset(this.doc_.body);
    });
  }

  /** apply updates the DOM from the tree old to next; from maps each patched
   * object of next to the object of old it was patched from. */
  apply(old: TNode, next: TNode, from: Map<object, object>): void {
    if (old === next) return;
    this.from_ = from;
    keepFocus(this.doc_, () => {
      if (!this.node_(old, next, false)) this.full(next);
    });
    this.from_ = new Map();
  }

  /** node applies the changes between o and n; false if some could not be
   * located. It goes on after a failure, so that everything locatable is in
   * place and a fallback morph above only sees what remains. */
  private node_(o: TNode, n: TNode, inItem: boolean): boolean {
    this.r_.inherit(n, o);
    let ok = true;
    for (let i = 0; i < n.d.length; i++) {
      const od = o.d[i];
      const nd = n.d[i];
      if (od !== nd && !this.dyn_(o, n, i, od, nd, inItem)) ok = false;
    }
    return ok;
  }

  private dyn_(o: TNode, n: TNode, i: number, od: Dyn, nd: Dyn, inItem: boolean): boolean {
    if (typeof nd === 'object' && this.from_.get(nd) === od) {
      const ok = isRange(nd) ? this.range_(od as TRange, nd) : this.node_(od as TNode, nd, inItem);
      if (ok) return true;
    }
    const reg = this.markers.find(this.r_.slot(o, i, od));
    if (!reg) return false;
    return this.fill_(reg, (ctx) => this.r_.part(n, i, nd, inItem, ctx));
  }

  private range_(o: TRange, n: TRange): boolean {
    this.r_.inherit(n, o);
    const reg = this.markers.find(String(this.r_.id(o)));
    if (!reg) return false;
    const parent = reg.a.parentNode as Element;
    const ctx = context(parent);
    const sync = (it: TNode, old: TNode, g: Region | null) =>
      !!g && (it === old || this.node_(old, it, true) || this.fill_(g, (c) => this.r_.item(it, c)));
    // Every item where it was: only patched ones need work.
    if (n.r.length === o.r.length && n.r.every((it, j) => it === o.r[j] || this.from_.get(it) === o.r[j])) {
      return n.r.every((it, j) => it === o.r[j] || sync(it, o.r[j], this.find_(o.r[j], parent)));
    }
    // Where each new item comes from: an old index, or -1 for a new item.
    const index = new Map<TNode, number>();
    o.r.forEach((it, i) => index.set(it, i));
    const src = n.r.map((it) => {
      const i = index.get(it);
      const j = index.get(this.from_.get(it) as TNode);
      return i !== undefined ? i : j !== undefined ? j : -1;
    });
    const used = new Set(src);
    for (let i = 0; i < o.r.length; i++) {
      if (used.has(i)) continue;
      const g = this.find_(o.r[i], parent);
      if (!g) return false;
      this.remove_(g);
    }
    const stay = increasing(src);
    // Insertions and moves go before the anchor: the range's end marker, or
    // the start marker of the item after, looked up only when needed.
    let anchorNode: Node | null = reg.b;
    let anchorItem: TNode | null = null;
    const anchor = (): Node | null => {
      const g = anchorNode ? null : this.find_(anchorItem!, parent);
      return anchorNode || (anchorNode = g && g.a);
    };
    for (let j = n.r.length - 1; j >= 0; j--) {
      const it = n.r[j];
      const i = src[j];
      const old = o.r[i];
      if (i >= 0 && stay[j] && it === old) {
        anchorNode = null;
        anchorItem = old;
        continue;
      }
      const before = anchor();
      if (!before) return false;
      if (i < 0) {
        const h = this.r_.item(it, ctx);
        if (h === null) return false;
        const nodes = this.morph_.parse(h, parent);
        for (const x of nodes) parent.insertBefore(x, before);
        for (const x of nodes) this.added_(x);
        anchorNode = nodes[0];
        continue;
      }
      const g = this.find_(old, parent);
      if (g && !stay[j]) {
        for (let c: Node = g.a, next: Node; c !== before; c = next) {
          next = c === g.b ? before : c.nextSibling!;
          move(parent, c, before);
        }
      }
      if (!sync(it, old, g)) return false;
      anchorNode = g!.a;
    }
    return true;
  }

  private find_(it: TNode, parent: Node): Region | null {
    const g = this.markers.find(String(this.r_.id(it)));
    return g && g.a.parentNode === parent ? g : null;
  }

  /** fill replaces a region and its markers by a rendered part. */
  private fill_(reg: Region, render: (ctx: Context) => string | null): boolean {
    const parent = reg.a.parentNode as Element;
    const h = render(context(parent));
    if (h === null) return false;
    const nodes = this.morph_.parse(h, parent);
    for (const [c, n] of [
      [reg.a, nodes[0]],
      [reg.b, nodes[nodes.length - 1]],
    ] as [Comment, Comment][]) {
      if (c.data !== n.data) c.data = n.data;
    }
    this.morph_.region(reg.a, reg.b, nodes.slice(1, -1));
    for (let c: Node | null = reg.a; c; c = c === reg.b ? null : c.nextSibling) this.markers.scan(c);
    return true;
  }

  private remove_(g: Region): void {
    const parent = g.a.parentNode!;
    for (let c: Node | null = g.a; c; ) {
      const next: Node | null = c === g.b ? null : c.nextSibling;
      this.morph_.removing(c);
      parent.removeChild(c);
      c = next;
    }
  }

  private added_(x: Node): void {
    this.markers.scan(x);
    this.morph_.added(x);
  }

}

function context(parent: Element): Context {
  const ns = parent.namespaceURI || '';
  return { parent: parent.localName, foreign: ns.endsWith('/svg') || ns.endsWith('/MathML') };
}

function move(parent: Node, n: Node, before: Node): void {
  const p = parent as Node & { moveBefore?: (n: Node, b: Node) => void };
  if (p.moveBefore) {
    try {
      p.moveBefore(n, before);
      return;
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
  const prev = new Array<number>(a.length).fill(-1);
  for (let j = 0; j < a.length; j++) {
    const v = a[j];
    if (v < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[j] = tails[lo - 1];
    tails[lo] = j;
  }
  const out = new Array<boolean>(a.length).fill(false);
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
