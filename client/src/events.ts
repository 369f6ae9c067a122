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

import { type Data, attrData, convert, fieldData, formData, isField, types } from './forms';
import { Timing } from './timing';

/** What a binding asks for: send action name with data, from el. */
export type Act = (el: Element, name: string, data: Data, form: Element | null) => void;

const BUBBLING = ['click', 'submit', 'change', 'input', 'keydown', 'keyup'];
// Window events (focus, blur and scroll of elements do not bubble up to
// window listeners; key events do, from wherever focus is).
const WINDOW = ['keydown', 'keyup', 'focus', 'blur', 'resize', 'scroll'];

export class Events {
  readonly timing = new Timing();

  constructor(
    private readonly doc_: Document,
    private readonly win_: Window,
    private readonly act_: Act,
  ) {}

  /** listen binds everything until signal aborts. */
  listen(signal: AbortSignal): void {
    const doc = this.doc_;
    const on = (t: EventTarget, kind: string, fn: (e: Event) => void) => t.addEventListener(kind, fn, { signal });
    for (const kind of BUBBLING) {
      on(doc, kind, (e) => {
        const el = closest(e.target, `[lvt-${kind}]`);
        if (el) this.trigger_(el, kind, e);
        if (kind === 'click') this.away_(e);
      });
    }
    on(doc, 'focusin', (e) => this.focus_(e as FocusEvent, 'focus'));
    on(doc, 'focusout', (e) => this.focus_(e as FocusEvent, 'blur'));
    for (const kind of WINDOW) {
      on(this.win_, kind, (e) => {
        for (const el of Array.from(doc.querySelectorAll(`[lvt-window-${kind}]`))) this.trigger_(el, 'window-' + kind, e);
      });
    }
  }

  private away_(e: Event): void {
    const target = e.target as Node;
    for (const el of Array.from(this.doc_.querySelectorAll('[lvt-click-away]'))) {
      if (!el.contains(target)) this.trigger_(el, 'click-away', e);
    }
  }

  private focus_(e: FocusEvent, kind: string): void {
    const el = closest(e.target, `[lvt-${kind}]`);
    const other = e.relatedTarget as Node | null;
    if (el && !(other && el.contains(other))) this.trigger_(el, kind, e);
  }

  /** trigger runs the binding lvt-<kind> of el for event e. */
  private trigger_(el: Element, kind: string, e: Event): void {
    const name = el.getAttribute('lvt-' + kind);
    if (!name) return;
    const key = (e as KeyboardEvent).key;
    if (/key/.test(kind) && !keyMatches(el.getAttribute('lvt-key'), key)) return;
    if (kind === 'submit' || (kind === 'click' && defaultGoesAway(el))) e.preventDefault();
    const confirmText = el.getAttribute('lvt-confirm');
    if (confirmText !== null && !this.win_.confirm(confirmText)) return;
    const submitter = (e as SubmitEvent).submitter || null;
    if (kind === 'submit') this.timing.flush(el);
    this.timing.run(el, () => {
      const form = el instanceof HTMLFormElement ? el : el.closest('form');
      let data: Data;
      if (el instanceof HTMLFormElement) data = formData(el, submitter);
      else if (isField(el) && (kind !== 'click' || el.name)) data = fieldData(el);
      else data = {};
      if (key !== undefined && /key/.test(kind)) data.key = key;
      attrData(el, data);
      this.act_(el, name, convert(data, types(form, el)), form);
    });
  }
}

/** closest finds the nearest element from target up that matches sel. */
function closest(target: EventTarget | null, sel: string): Element | null {
  const n = target as Node | null;
  const el = n && (n.nodeType === 1 ? (n as Element) : n.parentElement);
  return el ? el.closest(sel) : null;
}

/** keyMatches checks lvt-key: a comma-separated list of KeyboardEvent.key
 * values, case-insensitive; "Space" stands for " ". */
function keyMatches(want: string | null, key: string | undefined): boolean {
  if (want === null) return true;
  if (!key) return false;
  const k = key === ' ' ? 'space' : key.toLowerCase();
  return want.split(',').some((w) => w.trim().toLowerCase() === k);
}

/** defaultGoesAway: a click that would follow a link or submit a form. */
const defaultGoesAway = (el: Element) =>
  el.matches('a,button:not([type=button]):not([type=reset]),input[type=submit],input[type=image]');
