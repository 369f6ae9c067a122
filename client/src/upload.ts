// File uploads (docs/uploads.md). A form whose lvt-submit action names a
// store that accepts files sends the files of its file inputs first, then
// the action with the ids of their uploads ("uploads"); the other fields
// travel in the action as usual, never with the files. It is a part
// (parts/upload.ts): the main bundle loads it once a form with files is
// submitted, or a file is chosen in a form with lvt-submit.
//
// Each file input's files are declared in one upload message (names and
// sizes); the server checks them before any byte is sent and answers with
// an id per file and the chunk size. Chunks are base64 in chunk messages,
// up to WINDOW ahead of the server's acknowledgements over a WebSocket, one
// at a time over HTTP. After a reconnect every unfinished file asks the
// server where it stands (resume) and continues from there. A file whose
// chunks go unacknowledged for ACK_WAIT asks the same on its connection (a
// busy server may have dropped an answer): the answer counts as an
// acknowledgement.
//
// Progress: each acknowledgement updates <progress lvt-upload-progress="field">
// elements of the form (value and max in bytes) and fires lvt:upload-progress
// on the input (detail: field, name, loaded, total, id, cancel). An element
// with lvt-upload-cancel="field" (or "" for every field) cancels the form's
// uploads of that field when clicked; a file's own cancel is in the event.

import type { ServerMsg } from './transport';

/** What the upload code needs from the live page. */
export interface UploadHost {
  send(m: Record<string, unknown>): void;
  /** up reports whether messages go out now (else chunks wait for resume). */
  up(): boolean;
  /** http reports whether the connection is HTTP polls (one chunk at a time). */
  http(): boolean;
  /** invalid shows field errors of form, as an action's would be. */
  invalid(form: Element, err: { code: string; message: string }, fields: Record<string, string> | null): void;
}

export interface Uploads {
  /** submit uploads the files of form's file inputs for action name and
   * resolves to the ids of their uploads, or null when one was refused
   * (its field error is shown) or every file was cancelled. */
  submit(form: HTMLFormElement, name: string): Promise<string[] | null>;
  /** chosen starts the upload of input's files for action name when its
   * field sends files as soon as they are chosen (else they wait for the
   * submit). */
  chosen(input: HTMLInputElement, name: string): void;
  /** message handles a server upload message. */
  message(m: ServerMsg): void;
  /** halt stops sending chunks (the connection is down). */
  halt(): void;
  /** resume asks where every unfinished file stands and continues. */
  resume(): void;
  /** cancel cancels the uploads of field (all fields: "") of form. */
  cancel(form: Element, field: string): void;
  /** settle shows the progress of the uploads under way again, after an
   * update re-rendered their progress elements. */
  settle(): void;
}

/** WINDOW is how many chunks go ahead of the acknowledgements. */
export const WINDOW = 8;
/** ACK_WAIT is how long chunks may go unacknowledged before the file asks
 * where it stands (well within the server's 30 s stall timeout). */
export const ACK_WAIT = 10_000;
const SEL = 'input[type=file]';

interface Up {
  id: string;
  file: File;
  input: HTMLInputElement;
  chunk: number;
  /** chunks sent, acknowledged */
  sent: number;
  acked: number;
  /** waiting for the answer to a resume */
  held: boolean;
  /** when it last heard from the server, or began to wait */
  at: number;
  reading: boolean;
  end: (ok: boolean) => void;
}

type Started = { batch: string; files: string[]; chunk: number } | 'later' | null;

/** b64 encodes bytes as base64. */
const b64 = (u: Uint8Array) => {
  let s = '';
  for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, Array.from(u.subarray(i, i + 8192)));
  return btoa(s);
};

export function uploads(doc: Document, host: UploadHost): Uploads {
  let ref = 0;
  const starts = new Map<number, (m: ServerMsg) => void>();
  const files = new Map<string, Up>();
  /** uploads begun when files were chosen, by input */
  const early = new Map<HTMLInputElement, Promise<string | null>>();

  const form = (input: HTMLInputElement) => input.form || input.closest('form');

  /** The watchdog of unacknowledged chunks, running while there are files. */
  let dog: ReturnType<typeof setTimeout> | null = null;
  const watch = () => {
    if (dog || !files.size) return;
    dog = setTimeout(() => {
      dog = null;
      const now = Date.now();
      files.forEach((u) => {
        if (!u.held && host.up() && u.sent > u.acked && now - u.at >= ACK_WAIT) {
          u.at = now;
          host.send({ t: 'resume', id: u.id });
        }
      });
      watch();
    }, ACK_WAIT / 2);
  };

  /** bars shows how far u's field has come in its progress elements, and
   * returns the bytes loaded and in all. */
  const bars = (u: Up) => {
    const field = u.input.name;
    let loaded = 0;
    let total = 0;
    files.forEach((o) => {
      if (o.input === u.input) {
        total += o.file.size;
        loaded += Math.min(o.file.size, o.acked * o.chunk);
      }
    });
    const f = form(u.input) || doc;
    f.querySelectorAll(`progress[lvt-upload-progress="${field}"]`).forEach((p) => {
      (p as HTMLProgressElement).max = total || 1;
      (p as HTMLProgressElement).value = loaded;
    });
    return [loaded, total];
  };

  /** progress tells the page how far u's field has come. */
  const progress = (u: Up) => {
    const field = u.input.name;
    const [loaded, total] = bars(u);
    u.input.dispatchEvent(
      new CustomEvent('lvt:upload-progress', {
        bubbles: true,
        detail: { field, name: u.file.name, id: u.id, loaded, total, cancel: () => drop(u, true) },
      }),
    );
  };

  /** pump sends u's next chunks, up to the window. */
  const pump = async (u: Up) => {
    if (u.reading) return;
    u.reading = true;
    try {
      const count = Math.ceil(u.file.size / u.chunk);
      while (files.get(u.id) === u && !u.held && host.up() && u.sent < count && u.sent - u.acked < (host.http() ? 1 : WINDOW)) {
        const n = u.sent;
        const bytes = new Uint8Array(await u.file.slice(n * u.chunk, (n + 1) * u.chunk).arrayBuffer());
        // The connection may have gone, or a resume moved the count, meanwhile.
        if (files.get(u.id) !== u || u.held || !host.up() || u.sent !== n) break;
        if (u.sent === u.acked) u.at = Date.now(); // waiting begins
        u.sent++;
        host.send({ t: 'chunk', id: u.id, n, b: b64(bytes) });
      }
    } catch {
      drop(u, true);
    } finally {
      u.reading = false;
    }
  };

  /** drop ends u: cancelled (told to the server) or failed. */
  const drop = (u: Up, cancel: boolean) => {
    if (files.get(u.id) !== u) return;
    files.delete(u.id);
    if (cancel) {
      cancelled.add(u.id);
      host.send({ t: 'cancel', id: u.id });
    }
    u.end(false);
  };

  /** start declares input's files and uploads them; it resolves to the
   * batch id, null when refused or all cancelled, or "later". */
  const start = (input: HTMLInputElement, name: string, auto: boolean): Promise<string | null> =>
    new Promise<Started>((done) => {
      const r = ++ref;
      starts.set(r, (m) => {
        if (m.error) {
          host.invalid(form(input) || doc.body, m.error as { code: string; message: string }, m.fields as Record<string, string>);
          return done(null);
        }
        done(m.later ? 'later' : (m as unknown as Started));
      });
      host.send({
        t: 'upload',
        ref: r,
        name,
        field: input.name,
        auto,
        files: Array.from(input.files || []).map((f) => ({ name: f.name, size: f.size })),
      });
    }).then((s) => {
      if (s === 'later' || !s) return s as null;
      const list = Array.from(input.files || []);
      return Promise.all(
        s.files.map(
          (id, i) =>
            new Promise<boolean>((end) => {
              const u: Up = { id, file: list[i], input, chunk: s.chunk, sent: 0, acked: 0, held: false, at: 0, reading: false, end };
              files.set(id, u);
              watch();
              progress(u);
              pump(u);
            }),
        ),
      ).then((oks) => (oks.some((ok) => ok) && !oks.some((ok, i) => !ok && !cancelled.has(s.files[i])) ? s.batch : null));
    });

  /** cancelled are the files the user cancelled (not a failure). */
  const cancelled = new Set<string>();

  const inputs = (f: HTMLFormElement) => Array.from(f.querySelectorAll<HTMLInputElement>(SEL)).filter((i) => !i.disabled && i.files && i.files.length);

  return {
    async submit(f, name) {
      const ids: string[] = [];
      for (const input of inputs(f)) {
        let p = early.get(input);
        if (p) early.delete(input);
        let id = p ? await p : null;
        if (!p || id === 'later') id = await start(input, name, false);
        if (!id) return null;
        ids.push(id);
        input.value = '';
      }
      return ids;
    },
    chosen(input, name) {
      early.delete(input);
      files.forEach((u) => u.input === input && drop(u, true));
      if (input.files && input.files.length) early.set(input, start(input, name, true));
    },
    message(m) {
      if (typeof m.ref === 'number') {
        const s = starts.get(m.ref);
        starts.delete(m.ref);
        return s && s(m);
      }
      const u = files.get(m.id as string);
      if (!u) return;
      if (m.error) {
        files.delete(u.id);
        const f = form(u.input);
        if (f) host.invalid(f, m.error as { code: string; message: string }, m.fields as Record<string, string>);
        return u.end(false);
      }
      const n = m.n as number;
      u.at = Date.now();
      if (u.held) {
        // The answer to a resume: continue after what the server holds.
        u.held = false;
        u.sent = n;
      }
      u.acked = Math.max(u.acked, n);
      progress(u);
      if (m.done) {
        files.delete(u.id);
        return u.end(true);
      }
      pump(u);
    },
    halt() {
      files.forEach((u) => (u.held = true));
    },
    resume() {
      files.forEach((u) => {
        u.at = Date.now();
        host.send({ t: 'resume', id: u.id });
      });
    },
    settle() {
      files.forEach((u) => bars(u));
    },
    cancel(f, field) {
      files.forEach((u) => {
        if (form(u.input) === f && (!field || u.input.name === field)) drop(u, true);
      });
    },
  };
}
