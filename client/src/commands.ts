// DOM commands: lvt-js-<binding>="command; command …" changes the page
// without asking the server, on the same events as lvt-<binding> (click,
// submit, keydown, click-away, window-keydown …), before the binding's
// action if the element has one too. A command is a verb, its arguments,
// then an optional CSS selector (the element itself without one):
//
//   show [sel]  hide [sel]  toggle [sel]  focus [sel]
//   add-class c [sel]  remove-class c [sel]  toggle-class c [sel]
//   set-attr name value [sel]  remove-attr name [sel]
//   dispatch event [sel]
//
// What a command changed sticks: keep() applies it again after a morph
// brought the element back in line with the server, as Phoenix's JS
// commands do.

/** The arguments each verb takes before its selector. */
const ARGS: Record<string, number> = {
  show: 0,
  hide: 0,
  toggle: 0,
  focus: 0,
  'add-class': 1,
  'remove-class': 1,
  'toggle-class': 1,
  'remove-attr': 1,
  dispatch: 1,
  'set-attr': 2,
};

/** What commands changed on one element: classes added (true) or removed
 * (false), attributes set (a value) or removed (null), shown or hidden. */
interface Sticky {
  c: Map<string, boolean>;
  a: Map<string, string | null>;
  v?: boolean;
}

export interface Commands {
  /** run runs the commands of text for element el. */
  run(el: Element, text: string): void;
  /** keep applies again what commands changed on el. */
  keep(el: Element): void;
}

export function commands(doc: Document): Commands {
  const sticky = new WeakMap<Element, Sticky>();
  const of = (el: Element) => {
    let s = sticky.get(el);
    if (!s) sticky.set(el, (s = { c: new Map(), a: new Map() }));
    return s;
  };
  const hidden = (el: HTMLElement) => el.hidden || getComputedStyle(el).display === 'none';
  const show = (el: HTMLElement, on: boolean) => {
    el.hidden = false;
    el.style.display = on ? '' : 'none';
    if (on && hidden(el)) el.style.display = 'block';
  };
  const keep = (el: Element) => {
    const s = sticky.get(el);
    if (!s) return;
    s.c.forEach((on, c) => el.classList.toggle(c, on));
    s.a.forEach((v, a) => (v === null ? el.removeAttribute(a) : el.setAttribute(a, v)));
    if (s.v !== undefined) show(el as HTMLElement, s.v);
  };
  const apply = (el: HTMLElement, verb: string, x: string, y: string) => {
    const s = of(el);
    if (verb === 'toggle') verb = hidden(el) ? 'show' : 'hide';
    if (verb === 'toggle-class') verb = el.classList.contains(x) ? 'remove-class' : 'add-class';
    if (verb === 'show' || verb === 'hide') s.v = verb === 'show';
    else if (verb === 'add-class' || verb === 'remove-class') s.c.set(x, verb[0] === 'a');
    else if (verb === 'set-attr') s.a.set(x, y);
    else if (verb === 'remove-attr') s.a.set(x, null);
    else if (verb === 'focus') return el.focus();
    else return void el.dispatchEvent(new CustomEvent(x, { bubbles: true }));
    keep(el);
  };
  return {
    keep,
    run(el, text) {
      for (const cmd of text.split(';')) {
        const w = cmd.trim().split(/\s+/);
        const verb = w[0];
        const n = ARGS[verb];
        if (n === undefined) {
          if (verb) console.error(`livetemplate: lvt-js: unknown command "${verb}"`);
          continue;
        }
        const sel = w.slice(n + 1).join(' ');
        let els: Element[] = [el];
        try {
          if (sel) els = Array.from(doc.querySelectorAll(sel));
        } catch {
          console.error(`livetemplate: lvt-js: bad selector "${sel}"`);
          continue;
        }
        for (const t of verb === 'focus' ? els.slice(0, 1) : els) apply(t as HTMLElement, verb, w[1], w[2]);
      }
    },
  };
}
