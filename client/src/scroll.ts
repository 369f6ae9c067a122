// lvt-scroll="bottom": keeps a scrolling container pinned to its bottom (a
// chat, a log) after every update, unless the user scrolled up; scrolling back
// to the bottom pins it again.

import { within } from './emit';

const SEL = '[lvt-scroll="bottom"]';
const SLACK = 8; // px from the bottom that still count as "at the bottom"

export class Scroll {
  private els_ = new Set<Element>();
  private unpinned_ = new WeakSet<Element>();

  added(n: Node, deep = true): void {
    for (const el of within(n, SEL, deep)) {
      this.els_.add(el);
      stick(el);
    }
  }

  removing(n: Node, deep = true): void {
    if (this.els_.size) for (const el of within(n, SEL, deep)) this.els_.delete(el);
  }

  morphed(el: Element): void {
    if (el.matches(SEL)) this.els_.add(el);
  }

  /** scrolled records whether a container the user scrolled is at its bottom. */
  scrolled(el: EventTarget | null): void {
    if (!(el instanceof Element) || !this.els_.has(el)) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK) this.unpinned_.delete(el);
    else this.unpinned_.add(el);
  }

  /** settle scrolls every pinned container to its bottom (after an update). */
  settle(): void {
    for (const el of Array.from(this.els_)) {
      if (!el.isConnected || !el.matches(SEL)) this.els_.delete(el);
      else if (!this.unpinned_.has(el)) stick(el);
    }
  }
}

function stick(el: Element): void {
  el.scrollTop = el.scrollHeight;
}
