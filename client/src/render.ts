// Turns a tree into HTML with comment markers around every part whose place
// in the DOM can later be found again: <!--lvt:ID--> … <!--/lvt:ID-->.
// Nodes and ranges are marked by the identity of their object (patched
// objects inherit the id of the object they were patched from); range items
// likewise; a text dynamic outside range items is marked as slot "ID.i" of
// its owner node. A part is marked only where the scanner says the markers
// stay in place (element content, balanced tags); see scan.ts.

import { Scan } from './scan';
import { type Dyn, type TNode, isRange } from './tree';

export const START = 'lvt:';
export const END = '/lvt:';

const wrap = (id: string, h: string) => `<!--${START}${id}-->${h}<!--${END}${id}-->`;

/** Where a part is rendered: the tag of its DOM parent, and whether that is SVG or MathML. */
export interface Context {
  parent: string;
  foreign: boolean;
}

export class Renderer {
  private ids_ = new WeakMap<object, number>();
  private next_ = 1;

  id(o: object): number {
    let v = this.ids_.get(o);
    if (v === undefined) this.ids_.set(o, (v = this.next_++));
    return v;
  }

  /** inherit gives n, patched from o, the markers of o. */
  inherit(n: object, o: object): void {
    const v = this.ids_.get(o);
    if (v !== undefined) this.ids_.set(n, v);
  }

  /** The marker id of dynamic i of owner, whose value is d. */
  slot(owner: TNode, i: number, d: Dyn): string {
    return typeof d === 'string' ? this.id(owner) + '.' + i : String(this.id(d));
  }

  /** page renders a whole tree, markers included. */
  page(root: TNode): string {
    return this.node_(root, new Scan(), false);
  }

  /** part renders dynamic i of owner with its markers, or returns null when
   * it cannot be marked in this context. */
  part(owner: TNode, i: number, d: Dyn, inItem: boolean, ctx: Context): string | null {
    return this.marked_(ctx, (sc) => this.dyn_(owner, i, d, sc, inItem));
  }

  /** item renders a range item with its markers, or null (see part). */
  item(it: TNode, ctx: Context): string | null {
    return this.marked_(ctx, (sc) => this.itemHTML_(it, sc));
  }

  private marked_(ctx: Context, fn: (sc: Scan) => string): string | null {
    const sc = new Scan(ctx.parent, ctx.foreign);
    const m = sc.begin();
    const h = fn(sc);
    return sc.end(m) && h.startsWith('<!--') ? h : null;
  }

  private node_(n: TNode, sc: Scan, inItem: boolean): string {
    const { s, d } = n;
    let out = '';
    for (let i = 0; i < d.length; i++) {
      out += s[i];
      sc.feed(s[i]);
      out += this.dyn_(n, i, d[i], sc, inItem);
    }
    sc.feed(s[d.length]);
    return out + s[d.length];
  }

  private dyn_(owner: TNode, i: number, d: Dyn, sc: Scan, inItem: boolean): string {
    const can = sc.canMark();
    const m = sc.begin();
    let h: string;
    if (typeof d === 'string') {
      sc.feed(d);
      h = d;
      if (inItem) {
        sc.end(m);
        return h;
      }
    } else if (isRange(d)) {
      h = '';
      for (const it of d.r) h += this.itemHTML_(it, sc);
    } else {
      h = this.node_(d, sc, inItem);
    }
    return sc.end(m) && can ? wrap(this.slot(owner, i, d), h) : h;
  }

  private itemHTML_(it: TNode, sc: Scan): string {
    const can = sc.canMark();
    const m = sc.begin();
    const h = this.node_(it, sc, true);
    return sc.end(m) && can ? wrap(String(this.id(it)), h) : h;
  }
}
