// lvt-debounce="ms": send once the events stopped for ms.
// lvt-throttle="ms": send at once, then at most once per ms (the last event
// of a burst is sent at the end of its window, so the final value arrives).

interface Timer {
  el: Element;
  id: ReturnType<typeof setTimeout> | undefined;
  last: number;
  fn: (() => void) | null;
}

export class Timing {
  private timers_ = new WeakMap<Element, Timer>();
  private pending_ = new Set<Timer>();

  /** run calls fn now or later, as el's lvt-debounce / lvt-throttle ask
   * (one timer per element, whichever of its bindings fires). */
  run(el: Element, fn: () => void): void {
    const debounce = ms(el.getAttribute('lvt-debounce'));
    const throttle = ms(el.getAttribute('lvt-throttle'));
    if (!debounce && !throttle) return fn();
    let t = this.timers_.get(el);
    if (!t) this.timers_.set(el, (t = { el, id: undefined, last: -Infinity, fn: null }));
    if (debounce) {
      clearTimeout(t.id);
      this.later_(t, fn, debounce);
      return;
    }
    const wait = t.last + throttle - Date.now();
    if (wait <= 0 && !t.fn) {
      t.last = Date.now();
      fn();
    } else if (!t.fn) {
      this.later_(t, fn, wait);
    } else {
      t.fn = fn; // a send is scheduled: it will carry the latest event
    }
  }

  /** flush sends now whatever is waiting for elements inside root (a form
   * about to be submitted). */
  flush(root: Element): void {
    for (const t of Array.from(this.pending_)) if (root.contains(t.el)) this.fire_(t);
  }

  private later_(t: Timer, fn: () => void, wait: number): void {
    t.fn = fn;
    this.pending_.add(t);
    t.id = setTimeout(() => this.fire_(t), wait);
  }

  private fire_(t: Timer): void {
    clearTimeout(t.id);
    this.pending_.delete(t);
    const fn = t.fn;
    t.fn = null;
    t.last = Date.now();
    if (fn) fn();
  }

}

function ms(v: string | null): number {
  const n = v === null ? 0 : parseInt(v, 10);
  return n > 0 ? n : 0;
}
