// Event bindings, all delegated to the document (or window), so elements a
// morph adds are bound without any work:
//
//   lvt-click lvt-submit lvt-change lvt-input lvt-keydown lvt-keyup
//   lvt-focus lvt-blur (focus entering / leaving the element)
//   lvt-click-away (a click outside the element)
//   lvt-window-keydown lvt-window-keyup lvt-window-focus lvt-window-blur
//   lvt-window-resize lvt-window-scroll
//
// modified by lvt-key, lvt-confirm, lvt-debounce, lvt-throttle, and carrying
// lvt-data-* values and form fields (forms.ts).

import { type Data, type Types, convert, fieldData, formData, isField, prefixed } from './forms';
import { timing } from './timing';

/** What a binding asks for: send action name with data, from el. */
export type Act = (el: Element, name: string, data: Data, form: Element | null) => void;

// Events on the document: DOM event, or DOM event:binding.
const DOC = 'click submit change input keydown keyup focusin:focus focusout:blur';
// Window events (focus, blur and scroll of elements do not bubble up to
// window listeners; key events do, from wherever focus is).
const WINDOW = 'keydown keyup focus blur resize scroll';

/** listen binds everything until signal aborts; js runs the DOM commands
 * of lvt-js-<binding> (commands.ts). */
export function listen(doc: Document, win: Window, act: Act, js: (el: Element, text: string) => void, signal: AbortSignal): void {
  const { run, flush } = timing();
  const on = (t: EventTarget, type: string, fn: (e: Event) => void) => t.addEventListener(type, fn, { signal });
  const all = (sel: string) => Array.from(doc.querySelectorAll(sel));

  /** trigger runs the binding lvt-<kind> of el for event e. */
  const trigger = (el: Element, kind: string, e: Event) => {
    const name = el.getAttribute('lvt-' + kind);
    const cmds = el.getAttribute('lvt-js-' + kind);
    const key = (e as KeyboardEvent).key;
    const keyed = /key/.test(kind);
    // lvt-key: a comma-separated list of KeyboardEvent.key values, case-insensitive; "Space" stands for " ".
    const want = el.getAttribute('lvt-key');
    const confirmText = el.getAttribute('lvt-confirm');
    const k = key && (key === ' ' ? 'space' : key.toLowerCase());
    if ((!name && !cmds) || (keyed && want !== null && !want.split(',').some((w) => w.trim().toLowerCase() === k))) return;
    // A click that would follow a link or submit a form does not.
    if (kind === 'submit' || (kind === 'click' && el.matches('a,button:not([type=button]):not([type=reset]),input[type=submit],input[type=image]')))
      e.preventDefault();
    if (cmds) js(el, cmds);
    if (!name) return;
    if (confirmText !== null && !win.confirm(confirmText)) return;
    const submitter = (e as SubmitEvent).submitter;
    if (kind === 'submit') flush(el);
    run(el, () => {
      const isForm = el instanceof HTMLFormElement;
      const form = isForm ? el : el.closest('form');
      const TYPE = 'lvt-type-';
      const types: Types = prefixed(el, TYPE, prefixed(form, TYPE, {}));
      const data: Data =
        isForm ? formData(el, submitter, types) : isField(el) && (kind !== 'click' || el.name) ? fieldData(el, types) : {};
      if (keyed) data.key = key;
      act(el, name, convert(prefixed(el, 'lvt-data-', data), types), form);
    });
  };

  for (const d of DOC.split(' ')) {
    const [type, kind = type] = d.split(':');
    on(doc, type, (e) => {
      const t = e.target as Node | null;
      const el = t && (t.nodeType === 1 ? (t as Element) : t.parentElement);
      const b = el && el.closest(`[lvt-${kind}],[lvt-js-${kind}]`);
      // Focus moving between an element's own descendants does not count.
      const other = (e as FocusEvent).relatedTarget as Node | null;
      if (b && !(other && b.contains(other))) trigger(b, kind, e);
      if (kind === 'click') for (const a of all('[lvt-click-away],[lvt-js-click-away]')) if (!a.contains(t)) trigger(a, 'click-away', e);
    });
  }
  for (const kind of WINDOW.split(' ')) {
    on(win, kind, (e) => {
      for (const el of all(`[lvt-window-${kind}],[lvt-js-window-${kind}]`)) trigger(el, 'window-' + kind, e);
    });
  }
}
