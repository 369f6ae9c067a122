// The comment markers in the live DOM, by id: where each marked part of the
// tree starts and ends.

import { END, START } from './render';

/** A part's place: the nodes strictly between a and b. */
export interface Region {
  a: Comment;
  b: Comment;
}

const SHOW_COMMENT = 128;

export class Markers {
  private starts_ = new Map<string, Comment>();
  private ends_ = new Map<string, Comment>();
  private swept_ = 0;

  constructor(private readonly doc_: Document) {}

  /** reset forgets everything and registers the markers under root. */
  reset(root: Node): void {
    this.starts_.clear();
    this.ends_.clear();
    this.scan(root);
    this.swept_ = this.starts_.size;
  }

  /** scan registers the markers in node and its subtree. */
  scan(node: Node): void {
    if (node.nodeType === 8) {
      this.add_(node as Comment);
    } else if (node.nodeType === 1 || node.nodeType === 11) {
      const w = this.doc_.createTreeWalker(node, SHOW_COMMENT);
      for (let c = w.nextNode(); c; c = w.nextNode()) this.add_(c as Comment);
    }
    if (this.starts_.size > 2 * this.swept_ + 1024) this.sweep_();
  }

  /** find returns the region of a part, or null when its markers are not
   * both in the body, in one parent. */
  find(id: string): Region | null {
    const a = this.starts_.get(id);
    const b = this.ends_.get(id);
    if (!a || !b || a.data !== START + id || b.data !== END + id) return null;
    const p = a.parentNode;
    return p && p === b.parentNode && this.doc_.body.contains(p) ? { a, b } : null;

  }

  private add_(c: Comment): void {
    const d = c.data;
    if (d.startsWith(START)) this.starts_.set(d.slice(START.length), c);
    else if (d.startsWith(END)) this.ends_.set(d.slice(END.length), c);
  }

  private sweep_(): void {
    for (const m of [this.starts_, this.ends_]) {
      for (const [id, c] of m) if (!c.isConnected) m.delete(id);
    }
    this.swept_ = this.starts_.size;
  }
}
