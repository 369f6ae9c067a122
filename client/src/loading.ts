// What an element shows while its action is in flight: the class lvt-loading
// (also on <html>), and for lvt-disable-with="Saving…" the element disabled
// with that text. Morphs never see these decorations: they are taken off
// before an element is morphed and put back after.

const CLASS = 'lvt-loading';

/** What an element showed before it was decorated. */
interface Saved {
  /** actions in flight for this element */
  n: number;
  h?: string;
  v?: string;
  d?: boolean;
}

export interface Loading {
  /** begin decorates els for one action; the returned function undoes it once. */
  begin(els: Element[]): () => void;
  /** suspend takes the decorations off an element about to be morphed. */
  suspend(el: Element): void;
  /** resume puts them back after the morph, keeping what the server sent. */
  resume(el: Element): void;
}

export function loading(root: Element): Loading {
  let count = 0;
  const saved = new Map<Element, Saved>();
  const text = (el: Element) => el.getAttribute('lvt-disable-with');

  /** decorate saves what el shows, then decorates it. */
  const decorate = (el: Element, s: Saved) => {
    const f = el as HTMLInputElement;
    const t = text(el);
    s.h = el.innerHTML;
    s.v = f.value;
    s.d = f.disabled;
    el.classList.add(CLASS);
    if (t === null) return;
    if ('disabled' in el) f.disabled = true;
    if (el instanceof HTMLInputElement) f.value = t;
    else el.textContent = t;
  };

  const restore = (el: Element, s: Saved) => {
    const f = el as HTMLInputElement;
    el.classList.remove(CLASS);
    if (!el.classList.length) el.removeAttribute('class');
    if (text(el) === null) return;
    if ('disabled' in el) f.disabled = s.d!;
    if (el instanceof HTMLInputElement) f.value = s.v!;
    else if (el.innerHTML !== s.h) el.innerHTML = s.h!;
  };

  return {
    begin(els) {
      count++;
      root.classList.add(CLASS);
      for (const el of els) {
        const s = saved.get(el);
        if (s) s.n++;
        else {
          const t: Saved = { n: 1 };
          saved.set(el, t);
          decorate(el, t);
        }
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        if (!--count) root.classList.remove(CLASS);
        for (const el of els) {
          const s = saved.get(el);
          if (s && !--s.n) {
            restore(el, s);
            saved.delete(el);
          }
        }
      };
    },
    suspend(el) {
      const s = saved.get(el);
      if (s) restore(el, s);
    },
    resume(el) {
      const s = saved.get(el);
      if (s) decorate(el, s);
    },
  };
}
