// Entry point of the browser bundle. The page's script tag carries the
// handoff token: <script src="/_lvt/client.<hash>.js" data-lvt-token="…" defer>.
// window.LiveTemplate exposes `hooks` (register yours before or after this
// script runs), `action(name, data)` and `navigate(url)`.

import type { Data } from './forms';
import type { Hook } from './hooks';
import { type Result, live } from './live';
import { loader } from './part';

interface API {
  hooks: Record<string, Hook | undefined>;
  action?: (name: string, data?: Data) => Promise<Result>;
  navigate?: (url: string) => void;
  started?: boolean;
}

declare global {
  interface Window {
    LiveTemplate?: API;
  }
}

const w = window;
const doc = document;
const api: API = (w.LiveTemplate = w.LiveTemplate || ({} as API));
api.hooks = api.hooks || {};

const script = doc.currentScript || doc.querySelector('script[data-lvt-token]');
const token = script && script.getAttribute('data-lvt-token');

if (token && !api.started) {
  api.started = true;
  const start = () => {
    const l = live({
      doc,
      win: w,
      token,
      hooks: () => api.hooks,
      part: loader(doc, script as HTMLScriptElement),
      env: {
        WebSocket: w.WebSocket,
        fetch: w.fetch.bind(w),
        location: w.location,
        random: Math.random,
      },
    });
    api.action = (name, data = {}) => l.action(name, data, null, null);
    api.navigate = (url) => l.navigate(url, true);
    l.start();
  };
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
