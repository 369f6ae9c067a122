// Entry point of the browser bundle. The page's script tag carries the
// handoff token: <script src="/_lvt/client.<hash>.js" data-lvt-token="…" defer>.
// window.LiveTemplate exposes `hooks` (register yours before or after this
// script runs) and `action(name, data)`.

import type { Data } from './forms';
import type { Hook } from './hooks';
import { Live, type Result } from './live';

interface API {
  hooks: Record<string, Hook | undefined>;
  action?: (name: string, data?: Data) => Promise<Result>;
  started?: boolean;
}

declare global {
  interface Window {
    LiveTemplate?: API;
  }
}

const w = window;
const api: API = w.LiveTemplate || ({} as API);
api.hooks = api.hooks || {};
w.LiveTemplate = api;

const script = document.currentScript || document.querySelector('script[data-lvt-token]');
const token = script && script.getAttribute('data-lvt-token');

if (token && !api.started) {
  api.started = true;
  const start = () => {
    const live = new Live({
      doc: document,
      win: w,
      token,
      hooks: () => api.hooks,
      env: {
        WebSocket: w.WebSocket,
        fetch: w.fetch.bind(w),
        location: w.location,
        random: Math.random,
      },
    });
    api.action = (name, data = {}) => live.action(name, data, null, null);
    live.start();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
