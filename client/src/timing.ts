// lvt-debounce="ms": send once the events stopped for ms.
// lvt-throttle="ms": send at once, then at most once per ms (the last event
// of a burst is sent at the end of its window, so the final value arrives).

interface Timer {
  el: Element;
  id?: ReturnType<typeof setTimeout>;
  last: number;
  fn?: (() => void) | null;
}

export interface Timing {
  /** run calls fn now or later, as el's lvt-debounce / lvt-throttle ask
   * (one timer per element, whichever of its bindings fires). */
  run(el: Element, fn: () => void): void;
  /** flush sends now whatever is waiting for elements inside root (a form
   * about to be submitted). */
  flush(root: Element): void;
}

export function timing(): Timing {
  const timers = new WeakMap<Element, Timer>();
  const pending = new Set<Timer>();
  const fire = (t: Timer) => {
    const fn = t.fn;
    clearTimeout(t.id);
    pending.delete(t);
    t.fn = null;
    t.last = Date.now();
    if (fn) fn();
  };
  const later = (t: Timer, fn: () => void, wait: number) => {
    t.fn = fn;
    pending.add(t);
    t.id = setTimeout(() => fire(t), wait);
  };
  return {
    run(el, fn) {
      const debounce = ms(el, 'lvt-debounce');
      const throttle = ms(el, 'lvt-throttle');
      if (!debounce && !throttle) return fn();
      let t = timers.get(el);
      if (!t) timers.set(el, (t = { el, last: -Infinity }));
      if (debounce) {
        clearTimeout(t.id);
        later(t, fn, debounce);
      } else if (t.fn) {
        t.fn = fn; // a send is scheduled: it will carry the latest event
      } else {
        const wait = t.last + throttle - Date.now();
        if (wait > 0) later(t, fn, wait);
        else {
          t.last = Date.now();
          fn();
        }
      }
    },
    flush(root) {
      pending.forEach((t) => root.contains(t.el) && fire(t));
    },
  };
}

function ms(el: Element, attr: string): number {
  const n = parseInt(el.getAttribute(attr)!, 10);
  return n > 0 ? n : 0;
}
