// Action errors. Every failure fires lvt:error (detail: code, message,
// action, fields) on the element that sent the action. Field errors of an
// "invalid" reply are shown next to their fields: in the element with
// lvt-error="field" if the form has one, else in a generated
// <small class="lvt-field-error"> right after the field; the field gets
// aria-invalid="true". A later reply for the same form clears the fields it
// no longer names.

import { emit } from './emit';

export interface ActionError {
  code: string;
  message: string;
}

type Fields = Record<string, string>;
type Scope = Element | Document;

export class Errors {
  private shown_ = new Map<Scope, Fields>();
  private made_ = new WeakMap<Element, HTMLElement>();
  private serial_ = 0;

  constructor(private readonly doc_: Document) {}

  /** report fires lvt:error and shows the field errors, if any. */
  report(el: Element | null, action: string, err: ActionError, fields: Fields | null, form: Element | null): void {
    emit(this.doc_, el, 'error', { code: err.code, message: err.message, action, fields: fields || {} });
    if (fields || form) this.set(form || this.doc_, fields || {});
  }

  /** set makes fields the field errors shown in scope. */
  set(scope: Scope, fields: Fields): void {
    const names = Object.keys({ ...this.shown_.get(scope), ...fields });
    this.shown_.set(scope, fields);
    this.apply_(scope, names, fields);
  }

  /** reapply shows the field errors again after the DOM changed. */
  reapply(): void {
    this.shown_.forEach((fields, scope) => {
      if (scope !== this.doc_ && !(scope as Element).isConnected) this.shown_.delete(scope);
      else this.apply_(scope, Object.keys(fields), fields);
    });
  }

  /** apply_ shows the message of each name in fields, and clears the others. */
  private apply_(scope: Scope, names: string[], fields: Fields): void {
    for (const name of names) {
      const msg = fields[name];
      const slot = find(scope, 'lvt-error', name);
      const field = find(scope, 'name', name);
      if (slot) text(slot, msg || '');
      if (!field) continue;
      let small = this.made_.get(field);
      if (msg === undefined) {
        field.removeAttribute('aria-invalid');
        if (small && field.getAttribute('aria-describedby') === small.id) field.removeAttribute('aria-describedby');
        if (small) small.remove();
        this.made_.delete(field);
        continue;
      }
      if (field.getAttribute('aria-invalid') !== 'true') field.setAttribute('aria-invalid', 'true');
      if (slot) continue;
      if (!small || small.previousSibling !== field) {
        const id = small ? small.id : 'lvt-field-error-' + ++this.serial_;
        if (small) small.remove();
        small = this.doc_.createElement('small');
        small.className = 'lvt-field-error';
        small.id = id;
        field.after(small);
        this.made_.set(field, small);
      }
      text(small, msg);
      if (!field.hasAttribute('aria-describedby')) field.setAttribute('aria-describedby', small.id);
    }
  }
}

function text(el: Element, t: string): void {
  if (el.textContent !== t) el.textContent = t;
}

/** find returns the first element in scope whose attribute attr is value
 * (buttons are not fields). */
function find(scope: Scope, attr: string, value: string): Element | null {
  for (const el of Array.from(scope.querySelectorAll(`[${attr}]`))) {
    if (el.getAttribute(attr) === value && !(el instanceof HTMLButtonElement)) return el;
  }
  return null;
}
