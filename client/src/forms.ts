// The data an action carries. Values travel as the strings typed ("007"
// stays "007"); a field or key asks for a type with lvt-type-<key>="number"
// or "boolean" on the bound element or its form, or lvt-type="…" on the
// field itself. A multi-select, a name shared by several checkboxes, or any
// name repeated in a form is an array of strings.

export type Data = Record<string, unknown>;

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement;

const DATA = 'lvt-data-';
const TYPE = 'lvt-type-';

/** attrData copies the lvt-data-* attributes of el into out. */
export const attrData = (el: Element, out: Data = {}): Data => prefixed(el, DATA, out) as Data;

/** types collects the lvt-type-* declarations of the given elements (later ones win). */
export function types(...els: (Element | null)[]): Record<string, string> {
  const out = {};
  for (const el of els) if (el) prefixed(el, TYPE, out);
  return out;
}

function prefixed(el: Element, prefix: string, out: Record<string, unknown>): Record<string, unknown> {
  for (const a of Array.from(el.attributes)) if (a.name.startsWith(prefix)) out[a.name.slice(prefix.length)] = a.value;
  return out;
}

const isField = (el: Element): el is Field =>
  el instanceof HTMLInputElement ||
  el instanceof HTMLSelectElement ||
  el instanceof HTMLTextAreaElement ||
  el instanceof HTMLButtonElement;

export { isField };

/** formData serializes a form's fields (and the submitter, if it has a name). */
export function formData(form: HTMLFormElement, submitter?: Element | null): Data {
  const out: Data = {};
  const declared = types(form);
  const boxes: Record<string, HTMLInputElement[]> = {};
  const multi: Record<string, string[]> = {};
  for (const f of Array.from(form.elements) as HTMLInputElement[]) {
    const n = f.name;
    if (!n || f.disabled) continue;
    const t = f.getAttribute('lvt-type');
    if (t) declared[n] = t;
    if (f.type === 'checkbox') (boxes[n] = boxes[n] || []).push(f);
    if (f.type === 'select-multiple') multi[n] = Array.from((f as unknown as HTMLSelectElement).selectedOptions, (o) => o.value);
  }
  for (const n of Object.keys(boxes)) if (boxes[n].length > 1) out[n] = [];
  let fd: FormData;
  try {
    fd = new FormData(form, submitter as HTMLElement);
  } catch {
    fd = new FormData(form); // a submitter FormData does not accept
  }
  fd.forEach((v, k) => typeof v === 'string' && !multi[k] && put(out, k, v));
  Object.assign(out, multi);
  for (const n of Object.keys(boxes)) {
    if (boxes[n].length === 1 && isBool(declared[n])) out[n] = boxes[n][0].checked;
  }
  return convert(out, declared);
}

/** fieldData is the data of a single field: {name: value}, or {value: …}
 * when it has no name. A checkbox or radio button gives its value when
 * checked and "" when not (true/false with lvt-type="boolean"). */
export function fieldData(f: Field): Data {
  const name = f.name || 'value';
  const t = f.getAttribute('lvt-type');
  let v: unknown = f.value;
  if (f.type === 'select-multiple') v = Array.from((f as HTMLSelectElement).selectedOptions).map((o) => o.value);
  else if (f.type === 'checkbox' || f.type === 'radio') {
    const on = (f as HTMLInputElement).checked;
    if (isBool(t)) return { [name]: on };
    v = on ? f.value : '';
  }
  return convert({ [name]: v }, t ? { [name]: t } : {});
}

function put(out: Data, name: string, v: string): void {
  const cur = out[name];
  if (Array.isArray(cur)) cur.push(v);
  else if (name in out) out[name] = [cur, v];
  else out[name] = v;
}

const isBool = (t: string | null | undefined) => t === 'boolean' || t === 'bool';

/** convert applies the declared types to data, in place. */
export function convert(data: Data, declared: Record<string, string>): Data {
  for (const key of Object.keys(declared)) {
    if (!(key in data)) continue;
    const t = declared[key];
    const v = data[key];
    data[key] = Array.isArray(v) ? v.map((x) => cast(x, t)) : cast(v, t);
  }
  return data;
}

function cast(v: unknown, t: string): unknown {
  if (typeof v !== 'string') return v;
  if (t === 'number') {
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  if (isBool(t)) return !/^(|false|0|off|no)$/i.test(v.trim());
  return v;
}
