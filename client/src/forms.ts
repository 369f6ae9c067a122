// The data an action carries. Values travel as the strings typed ("007"
// stays "007"); a field or key asks for a type with lvt-type-<key>="number"
// or "boolean" on the bound element or its form, or lvt-type="…" on the
// field itself. A multi-select, a name shared by several checkboxes, or any
// name repeated in a form is an array of strings.

export type Data = Record<string, unknown>;

/** Declared types by data key. */
export type Types = Record<string, string | null>;

// Any field: input, select, textarea or button.
type Field = HTMLInputElement & { selectedOptions: HTMLCollectionOf<HTMLOptionElement> };

/** prefixed copies the attributes of el named prefix<key> into out[key]. */
export function prefixed<T extends Data>(el: Element | null, prefix: string, out: T): T {
  if (el) for (const a of Array.from(el.attributes)) if (a.name.startsWith(prefix)) (out as Data)[a.name.slice(prefix.length)] = a.value;
  return out;
}

export const isField = (el: Element): el is Field => el.matches('input,select,textarea,button');

const selected = (f: Field) => Array.from(f.selectedOptions, (o) => o.value);

const checkable = (f: Field) => /^(checkbox|radio)$/.test(f.type);

/** formData serializes a form's fields (and the submitter, if it has a
 * name); the fields' own lvt-type declarations go into types. */
export function formData(form: HTMLFormElement, submitter: Element | null | undefined, types: Types): Data {
  const out: Data = {};
  const boxes: Record<string, Field[]> = {};
  const multi: Record<string, string[]> = {};
  for (const f of Array.from(form.elements) as Field[]) {
    const n = f.name;
    if (!n || f.disabled) continue;
    const t = f.getAttribute('lvt-type');
    if (t) types[n] = t;
    if (f.type === 'checkbox') (boxes[n] = boxes[n] || []).push(f);
    if (f.type === 'select-multiple') multi[n] = selected(f);
  }
  for (const n in boxes) if (boxes[n][1]) out[n] = [];
  let fd: FormData;
  try {
    fd = new FormData(form, submitter as HTMLElement);
  } catch {
    fd = new FormData(form); // a submitter FormData does not accept
  }
  fd.forEach((v, k) => {
    if (typeof v !== 'string' || multi[k]) return;
    const cur = out[k];
    if (Array.isArray(cur)) cur.push(v);
    else out[k] = k in out ? [cur, v] : v;
  });
  Object.assign(out, multi);
  for (const n in boxes) if (!boxes[n][1] && isBool(types[n])) out[n] = boxes[n][0].checked;
  return out;
}

/** fieldData is the data of a single field: {name: value}, or {value: …}
 * when it has no name. A checkbox or radio button gives its value when
 * checked and "" when not (true/false with lvt-type="boolean"). Its own
 * lvt-type declaration goes into types. */
export function fieldData(f: Field, types: Types): Data {
  const name = f.name || 'value';
  const t = (types[name] = f.getAttribute('lvt-type') || types[name]);
  const v =
    f.type === 'select-multiple' ? selected(f) : checkable(f) ? (isBool(t) ? f.checked : f.checked ? f.value : '') : f.value;
  return { [name]: v };
}

const isBool = (t: string | null | undefined) => t === 'boolean' || t === 'bool';

/** convert applies the declared types to data, in place. */
export function convert(data: Data, types: Types): Data {
  for (const key in types) {
    if (!(key in data)) continue;
    const t = types[key];
    const v = data[key];
    data[key] = Array.isArray(v) ? v.map((x) => cast(x, t)) : cast(v, t);
  }
  return data;
}

function cast(v: unknown, t: string | null): unknown {
  if (typeof v !== 'string') return v;
  if (t === 'number') {
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  return isBool(t) ? !/^(|false|0|off|no)$/i.test(v.trim()) : v;
}
