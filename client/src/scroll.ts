// lvt-scroll="bottom": keeps a scrolling container pinned to its bottom (a
// chat, a log) after every update, unless the user scrolled up; scrolling back
// to the bottom pins it again. It is a part (parts/scroll.ts): the main bundle
// loads it when a page has such a container.

import { within } from './emit';

/** SEL selects the containers kept at their bottom. */
export const SEL = '[lvt-scroll="bottom"]';
const SLACK = 8; // px from the bottom that still count as "at the bottom"

export interface Scroll {
  /** added tracks the containers in n (deep: and in its subtree). */
  added(n: Node, deep: boolean): void;
  /** scrolled records whether a container the user scrolled is at its bottom. */
  scrolled(el: EventTarget | null): void;
  /** settle scrolls every pinned container to its bottom (after an update);
   * containers that left the page are forgotten. */
  settle(): void;
}

export function scroll(): Scroll {
  const els = new Set<Element>();
  const unpinned = new WeakSet<Element>();
  return {
    added(n, deep) {
      for (const el of within(n, SEL, deep)) els.add(el);
    },
    scrolled(el) {
      if (!els.has(el as Element)) return;
      const e = el as Element;
      if (e.scrollHeight - e.scrollTop - e.clientHeight <= SLACK) unpinned.delete(e);
      else unpinned.add(e);
    },
    settle() {
      els.forEach((el) => {
        if (!el.isConnected || !el.matches(SEL)) els.delete(el);
        else if (!unpinned.has(el)) el.scrollTop = el.scrollHeight;
      });
    },
  };
}
