import { afterEach, describe, expect, it, vi } from 'vitest';
import { $, type Setup, click, start, stop } from './harness';

let s: Setup;
afterEach(() => stop(s));

const last = () => s.actions()[s.actions().length - 1];

describe('lvt-click', () => {
  it('sends the action with lvt-data-* values as typed strings', () => {
    s = start(`<button lvt-click="todos.remove" lvt-data-id="007" lvt-data-count="10">x</button>`);
    click($('button'));
    expect(s.actions()).toEqual([{ t: 'action', ref: 1, name: 'todos.remove', data: { id: '007', count: '10' } }]);
  });

  it('converts values whose type is asked for', () => {
    s = start(
      `<a href="/x" lvt-click="set" lvt-data-id="007" lvt-data-n="10" lvt-data-on="false" lvt-type-n="number" lvt-type-on="boolean">x</a>`,
    );
    const e = new MouseEvent('click', { bubbles: true, cancelable: true });
    $('a').dispatchEvent(e);
    expect(e.defaultPrevented).toBe(true);
    expect(last().data).toEqual({ id: '007', n: 10, on: false });
  });

  it('fires for clicks on descendants, and not for other elements', () => {
    s = start(`<div lvt-click="open"><span>inner</span></div><p>other</p>`);
    click($('span'));
    click($('p'));
    expect(s.actions().map((a) => a.name)).toEqual(['open']);
  });

  it('asks lvt-confirm first', () => {
    s = start(`<button lvt-click="drop" lvt-confirm="Sure?">x</button>`);
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    click($('button'));
    expect(s.actions()).toHaveLength(0);
    click($('button'));
    expect(confirm).toHaveBeenCalledWith('Sure?');
    expect(s.actions()).toHaveLength(1);
    confirm.mockRestore();
  });
});

describe('lvt-submit', () => {
  const form = `<form lvt-submit="save" lvt-data-kind="x" lvt-type-age="number">
    <input name="title" value="007">
    <input name="age" value="42">
    <input name="disabled" value="no" disabled>
    <input type="checkbox" name="tags" value="a" checked>
    <input type="checkbox" name="tags" value="b">
    <input type="checkbox" name="tags" value="c" checked>
    <input type="checkbox" name="agree" checked>
    <input type="checkbox" name="news">
    <input type="checkbox" name="flag" lvt-type="boolean">
    <input type="radio" name="size" value="s">
    <input type="radio" name="size" value="m" checked>
    <select name="one"><option>x</option><option selected>y</option></select>
    <select name="many" multiple><option selected>p</option><option>q</option><option selected>r</option></select>
    <select name="none" multiple><option>p</option></select>
    <textarea name="body">hello</textarea>
    <button name="op" value="publish">Go</button>
  </form>`;

  it('serializes every kind of field', () => {
    s = start(form);
    const e = new Event('submit', { bubbles: true, cancelable: true });
    $('form').dispatchEvent(e);
    expect(e.defaultPrevented).toBe(true);
    expect(last().name).toBe('save');
    expect(last().data).toEqual({
      kind: 'x',
      title: '007',
      age: 42,
      tags: ['a', 'c'],
      agree: 'on',
      flag: false,
      size: 'm',
      one: 'y',
      many: ['p', 'r'],
      none: [],
      body: 'hello',
    });
  });

  it('includes the submitter that has a name', () => {
    s = start(form);
    const e = new Event('submit', { bubbles: true, cancelable: true }) as SubmitEvent;
    Object.defineProperty(e, 'submitter', { value: $('button') });
    $('form').dispatchEvent(e);
    expect(last().data).toMatchObject({ op: 'publish' });
  });
});

describe('lvt-change and lvt-input', () => {
  it('sends the field alone when bound on a field', () => {
    s = start(`<input name="q" lvt-input="search" lvt-data-page="1"><select name="c" multiple lvt-change="pick"><option selected>a</option><option selected>b</option></select>`);
    const input = $<HTMLInputElement>('input');
    input.value = '007';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    $('select').dispatchEvent(new Event('change', { bubbles: true }));
    expect(s.actions().map((a) => [a.name, a.data])).toEqual([
      ['search', { q: '007', page: '1' }],
      ['pick', { c: ['a', 'b'] }],
    ]);
  });

  it('sends the whole form when bound on the form', () => {
    s = start(`<form lvt-change="validate"><input name="a" value="1"><input name="b" value="2"></form>`);
    $('input').dispatchEvent(new Event('change', { bubbles: true }));
    expect(last()).toMatchObject({ name: 'validate', data: { a: '1', b: '2' } });
  });
});

describe('keys', () => {
  it('filters with lvt-key and sends the key and the field', () => {
    s = start(`<input name="msg" value="hi" lvt-keydown="send" lvt-key="Enter,Escape">`);
    const key = (k: string) => $('input').dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    key('a');
    key('Enter');
    key('escape');
    expect(s.actions().map((a) => a.data)).toEqual([
      { msg: 'hi', key: 'Enter' },
      { msg: 'hi', key: 'escape' },
    ]);
  });

  it('binds window key events', () => {
    s = start(`<div lvt-window-keyup="nav" lvt-key="ArrowLeft"></div>`);
    document.body.dispatchEvent(new KeyboardEvent('keyup', { key: 'ArrowRight', bubbles: true }));
    document.body.dispatchEvent(new KeyboardEvent('keyup', { key: 'ArrowLeft', bubbles: true }));
    window.dispatchEvent(new KeyboardEvent('keyup', { key: 'ArrowLeft' }));
    expect(s.actions().map((a) => a.data)).toEqual([{ key: 'ArrowLeft' }, { key: 'ArrowLeft' }]);
  });
});

describe('focus, blur and click-away', () => {
  it('fires when focus enters and leaves the element, not when it moves inside', () => {
    s = start(`<div lvt-focus="enter" lvt-blur="leave"><input id="a"><input id="b"></div><input id="c">`);
    const a = $('#a');
    const b = $('#b');
    const c = $('#c');
    a.dispatchEvent(new FocusEvent('focusin', { bubbles: true, relatedTarget: c }));
    a.dispatchEvent(new FocusEvent('focusout', { bubbles: true, relatedTarget: b }));
    b.dispatchEvent(new FocusEvent('focusin', { bubbles: true, relatedTarget: a }));
    b.dispatchEvent(new FocusEvent('focusout', { bubbles: true, relatedTarget: c }));
    expect(s.actions().map((x) => x.name)).toEqual(['enter', 'leave']);
  });

  it('lvt-click-away fires for clicks outside only', () => {
    s = start(`<div lvt-click-away="close"><button>in</button></div><p>out</p>`);
    click($('button'));
    expect(s.actions()).toHaveLength(0);
    click($('p'));
    expect(s.actions().map((x) => x.name)).toEqual(['close']);
  });
});

describe('debounce and throttle', () => {
  it('debounces: one action with the last value, ms after the last event', () => {
    vi.useFakeTimers();
    s = start(`<input name="q" lvt-input="search" lvt-debounce="300">`);
    const input = $<HTMLInputElement>('input');
    for (const v of ['a', 'ab', 'abc']) {
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      vi.advanceTimersByTime(100);
    }
    expect(s.actions()).toHaveLength(0);
    vi.advanceTimersByTime(199);
    expect(s.actions()).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(s.actions().map((a) => a.data)).toEqual([{ q: 'abc' }]);
  });

  it('throttles: first at once, then at most one per window carrying the latest', () => {
    vi.useFakeTimers();
    s = start(`<input name="q" lvt-input="search" lvt-throttle="500">`);
    const input = $<HTMLInputElement>('input');
    const type = (v: string) => {
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    type('1');
    type('2');
    type('3');
    expect(s.actions().map((a) => a.data)).toEqual([{ q: '1' }]);
    vi.advanceTimersByTime(500);
    expect(s.actions().map((a) => a.data)).toEqual([{ q: '1' }, { q: '3' }]);
    vi.advanceTimersByTime(1000);
    expect(s.actions()).toHaveLength(2);
  });

  it('a submit flushes pending debounced input of its form first', () => {
    vi.useFakeTimers();
    s = start(`<form lvt-submit="save"><input name="q" lvt-input="check" lvt-debounce="1000"></form>`);
    const input = $<HTMLInputElement>('input');
    input.value = 'x';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    $('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(s.actions().map((a) => a.name)).toEqual(['check', 'save']);
    vi.advanceTimersByTime(2000);
    expect(s.actions()).toHaveLength(2);
  });
});

describe('loading and lvt-disable-with', () => {
  it('decorates while in flight and restores on the reply', () => {
    s = start(`<form lvt-submit="save"><input name="a"><button lvt-disable-with="Saving…">Save <b>now</b></button></form>`);
    const root = document.documentElement;
    $('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    const btn = $<HTMLButtonElement>('button');
    expect(root.classList.contains('lvt-loading')).toBe(true);
    expect($('form').classList.contains('lvt-loading')).toBe(true);
    expect(btn.disabled).toBe(true);
    expect(btn.textContent).toBe('Saving…');
    s.ws().receive({ t: 'reply', ref: 1, seq: 2, patch: {} });
    expect(root.classList.contains('lvt-loading')).toBe(false);
    expect($('form').hasAttribute('class')).toBe(false);
    expect(btn.disabled).toBe(false);
    expect(btn.innerHTML).toBe('Save <b>now</b>');
  });
});
