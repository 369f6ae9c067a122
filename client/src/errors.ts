// Action errors. Every failure fires lvt:error (detail: code, message,
// action, fields) on the element that sent the action. Field errors of an
// "invalid" reply are shown next to their fields: in the element with
// lvt-error="field" if the form has one, else in a generated
// <small class="lvt-field-error"> right after the field; the field gets
// aria-invalid="true". A later reply for the same form clears the fields it
// no longer names.
//
// An action that fails without field errors shows its message in the
// general slot, an element with an empty lvt-error attribute: the action's
// form's, else the page's first. The slot gets the class lvt-error-shown,
// the message in a <span class="lvt-error-message"> and a dismiss button
// (<button class="lvt-error-dismiss">); dismissing it or any later success
// empties it again.
//
// An error that no slot shows (no general slot, or a field error with
// neither its field nor its lvt-error element) is written to the console,
// so that a mistake such as a mistyped action name is never silent.
//
// Showing errors is a part (parts/errors.ts), which the main bundle loads at
// a page's first failed action; lvt:error fires at once all the same
// (live.ts).

export interface ActionError {
  code: string;
  message: string;
}

type Fields = Record<string, string>;
type Scope = Element | Document;

export interface Errors {
  /** report shows the error (see above). */
  report(action: string, err: ActionError, fields: Fields | null, form: Element | null): void;
  /** ok clears what a success clears: form's field errors, the general error. */
  ok(form: Element | null): void;
  /** reapply shows the field errors again after the DOM changed. */
  reapply(): void;
}

const INVALID = 'aria-invalid';
const SHOWN = 'lvt-error-shown';
const DESCRIBED = 'aria-describedby';

export function errors(doc: Document): Errors {
  const shown = new Map<Scope, Fields>();
  const made = new WeakMap<Element, HTMLElement>();
  let serial = 0;
  // The general error: its message and scope, the slot showing it and the
  // nodes made in it.
  let general: [Scope, string] | null = null;
  let slot: Element | undefined;
  const span = doc.createElement('span');
  const btn = doc.createElement('button');
  span.className = 'lvt-error-message';
  btn.className = 'lvt-error-dismiss';
  btn.type = 'button';
  btn.textContent = '×';
  btn.setAttribute('aria-label', 'Dismiss');

  /** show puts the general error, if any, in its slot (again after a morph
   * took it out), and empties the slot that showed it before. */
  const show = () => {
    const [scope, msg] = general || [doc, ''];
    const to = general ? find(scope, 'lvt-error', '') || find(doc, 'lvt-error', '') : undefined;
    if (slot && (slot !== to || !msg)) {
      span.remove();
      btn.remove();
      slot.classList.remove(SHOWN);
    }
    slot = to;
    if (!to) return;
    text(span, msg);
    if (span.parentNode !== to || btn.parentNode !== to) to.replaceChildren(span, btn);
    to.classList.add(SHOWN);
  };
  btn.addEventListener('click', () => {
    general = null;
    show();
  });

  /** apply shows the message of each name in fields, and clears the
   * others; it reports whether every message found a place. */
  const apply = (scope: Scope, names: string[], fields: Fields) => {
    let all = true;
    for (const name of names) {
      if (!name) continue; // the general slot
      const msg = fields[name];
      const slot = find(scope, 'lvt-error', name);
      const field = find(scope, 'name', name);
      if (slot) text(slot, msg || '');
      if (!field) {
        if (!slot && msg !== undefined) all = false;
        continue;
      }
      let small = made.get(field);
      if (msg === undefined) {
        field.removeAttribute(INVALID);
        if (small) {
          if (field.getAttribute(DESCRIBED) === small.id) field.removeAttribute(DESCRIBED);
          small.remove();
        }
        made.delete(field);
        continue;
      }
      if (field.getAttribute(INVALID) !== 'true') field.setAttribute(INVALID, 'true');
      if (slot) continue;
      if (!small || small.previousSibling !== field) {
        const id = small ? small.id : 'lvt-field-error-' + ++serial;
        if (small) small.remove();
        small = doc.createElement('small');
        small.className = 'lvt-field-error';
        small.id = id;
        field.after(small);
        made.set(field, small);
      }
      text(small, msg);
      if (!field.hasAttribute(DESCRIBED)) field.setAttribute(DESCRIBED, small.id);
    }
    return all;
  };

  /** set makes fields the field errors shown in scope (see apply). */
  const set = (scope: Scope, fields: Fields) => {
    const names = Object.keys({ ...shown.get(scope), ...fields });
    shown.set(scope, fields);
    return apply(scope, names, fields);
  };

  return {
    report(action, err, fields, form) {
      const placed = fields || form ? set(form || doc, fields || {}) : true;
      general = fields && Object.keys(fields).length ? null : [form || doc, err.message];
      show();
      if (general ? !slot : !placed) log('action "' + action + '"', err);
    },
    ok(form) {
      if (form) set(form, {});
      general = null;
      show();
    },
    reapply() {
      // (a document is always connected)
      shown.forEach((fields, scope) => (scope.isConnected ? apply(scope, Object.keys(fields), fields) : shown.delete(scope)));
      show();
    },
  };
}

/** log writes an error that the page does not show to the console. */
export const log = (what: string, { code, message }: ActionError) =>
  console.error('livetemplate: ' + what + ': ' + code + ': ' + message);

function text(el: Element, t: string): void {
  if (el.textContent !== t) el.textContent = t;
}

/** find returns the first element in scope whose attribute attr is value
 * (buttons are not fields). */
const find = (scope: Scope, attr: string, value: string) =>
  Array.from(scope.querySelectorAll(`[${attr}]`)).find(
    (el) => el.getAttribute(attr) === value && !(el instanceof HTMLButtonElement),
  );
