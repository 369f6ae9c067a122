// The live connection (docs/protocol.md §3): a WebSocket to the page URL,
// or, when WebSockets cannot be used, HTTP POSTs to the same URL with long
// polls for the server's pushes.
//
// - A WebSocket that fails to open switches to HTTP at once.
// - A WebSocket that opens and then dies is reconnected with exponential
//   backoff and jitter; if it dies 3 times within 30 s without staying up a
//   minute, the client falls back to HTTP.
// - On HTTP, a WebSocket is tried again every minute; when one opens, the
//   client moves back to it. So the client neither flaps nor stays on HTTP.
// - When both fail (the server is down), it retries with backoff (cap 30 s),
//   WebSocket first.

export type Mode = 'websocket' | 'http';

export interface ClientMsg {
  t: string;
  ref?: number;
  [k: string]: unknown;
}

export interface ServerMsg {
  t: string;
  [k: string]: unknown;
}

/** What the transport needs from the browser (tests pass fakes). */
export interface Env {
  WebSocket?: { new (url: string): WebSocket };
  fetch: typeof fetch;
  location: { protocol: string; host: string; pathname: string; search: string };
  random(): number;
}

/** The transport's owner. */
export interface Link {
  /** A message from the server. */
  message(m: ServerMsg): void;
  /** The connection was lost; it is being re-established. */
  down(): void;
  /** A message sent over HTTP could not be delivered. */
  lost(m: ClientMsg): void;
  /** The seq of the last tree or patch applied. */
  seq(): number;
}

export interface Transport {
  /** The current mode, for lvt:connected. */
  mode(): Mode;
  start(): void;
  /** stop closes everything for good (the page is going away). */
  stop(): void;
  /** send delivers a message now, or when the connection is back. */
  send(m: ClientMsg): void;
  /** unqueue drops a message not sent yet. */
  unqueue(ref: number): void;
}

export const OPEN_TIMEOUT = 10_000;
export const POLL_TIMEOUT = 65_000;
export const POST_TIMEOUT = 20_000;
export const STABLE = 60_000;
export const FLAP_WINDOW = 30_000;
export const FLAPS = 3;
export const PROBE_EVERY = 60_000;
export const BACKOFF_BASE = 500;
export const BACKOFF_CAP = 30_000;

type Timer = ReturnType<typeof setTimeout> | undefined;

/** jitter spreads a delay over [d/2, d). */
export const jitter = (env: Env, d: number) => d * (0.5 + env.random() / 2);

export function transport(env: Env, token: string, link: Link): Transport {
  let mode: Mode = 'websocket';
  let ws: WebSocket | null = null;
  let up = false;
  let queue: ClientMsg[] = [];
  let deaths: number[] = [];
  let attempt = 0;
  let preferHTTP = false;
  let retryTimer: Timer;
  let probeTimer: Timer;
  let polls: AbortController | null = null;
  let stopped = false;
  const loc = env.location;
  const json = JSON.stringify;
  const http = () => mode === 'http' && !stopped;

  const send = (m: ClientMsg): void => {
    if (!up) queue.push(m);
    else if (mode === 'websocket') ws!.send(json(m));
    else
      post(m, POST_TIMEOUT).then(
        (reply) => reply && link.message(reply),
        () => {
          link.lost(m);
          lose();
        },
      );
  };

  const connect = (): void => {
    if (stopped) return;
    if (preferHTTP || !env.WebSocket) startHTTP();
    else socket(false);
  };

  const socket = (probe: boolean): void => {
    let s: WebSocket;
    try {
      s = new env.WebSocket!((loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + loc.pathname + loc.search);
    } catch {
      return noSocket(probe);
    }
    let openedAt = -1;
    const timer = setTimeout(() => s.close(), OPEN_TIMEOUT);
    s.onopen = () => {
      clearTimeout(timer);
      if (stopped) return s.close();
      openedAt = Date.now();
      // Back from HTTP: stop polling; the join answers with a full tree.
      if (probe) abortPolls();
      ws = s;
      mode = 'websocket';
      preferHTTP = false;
      s.send(json({ t: 'join', token, seq: link.seq() }));
      setUp();
    };
    s.onmessage = (e: MessageEvent) => {
      if (ws !== s) return;
      let m: ServerMsg;
      try {
        m = JSON.parse(String(e.data));
      } catch {
        return s.close();
      }
      attempt = 0;
      link.message(m);
    };
    s.onclose = () => {
      clearTimeout(timer);
      if (openedAt < 0) return noSocket(probe);
      if (ws !== s) return;
      ws = null;
      if (stopped) return;
      // An open WebSocket died.
      const now = Date.now();
      setDown();
      if (now - openedAt >= STABLE) deaths = [];
      deaths = deaths.filter((t) => now - t < FLAP_WINDOW);
      if (deaths.push(now) >= FLAPS) {
        deaths = [];
        preferHTTP = true;
      }
      retry();
    };
  };

  /** A WebSocket could not be opened. */
  const noSocket = (probe: boolean): void => {
    if (stopped) return;
    if (probe) probeLater();
    else {
      preferHTTP = true;
      startHTTP();
    }
  };

  /** startHTTP starts (or restarts) HTTP mode: a sync for the full tree, then polls. */
  const startHTTP = (): void => {
    mode = 'http';
    post({ t: 'sync' }, POST_TIMEOUT).then(
      (m) => {
        if (!http()) return;
        attempt = 0;
        setUp();
        if (m) link.message(m);
        poll();
        probeLater();
      },
      () => {
        if (!http()) return;
        // HTTP fails too: the server is unreachable; try WebSocket first next time.
        preferHTTP = false;
        setDown();
        retry();
      },
    );
  };

  const poll = async (): Promise<void> => {
    const ctl = (polls = new AbortController());
    while (polls === ctl && !stopped) {
      let m: ServerMsg | null;
      try {
        m = await post({ t: 'poll' }, POLL_TIMEOUT, ctl);
      } catch {
        if (polls === ctl) lose();
        return;
      }
      if (polls === ctl && m) link.message(m);
    }
  };

  /** lose handles a failed HTTP request: the connection is down, retry. */
  const lose = (): void => {
    if (mode !== 'http' || !up) return;
    abortPolls();
    setDown();
    retry();
  };

  const abortPolls = (): void => {
    if (polls) polls.abort();
    polls = null;
  };

  const probeLater = (): void => {
    clearTimeout(probeTimer);
    probeTimer = setTimeout(() => http() && env.WebSocket && socket(true), PROBE_EVERY);
  };

  const retry = (): void => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, jitter(env, Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt)));
    attempt = Math.min(attempt + 1, 16);
  };

  const setUp = (): void => {
    up = true;
    const q = queue;
    queue = [];
    q.forEach(send);
  };

  const setDown = (): void => {
    if (!up) return;
    up = false;
    link.down();
  };

  /** post sends one message over HTTP; it resolves to the server's answer
   * (null for 204) and rejects on a network error, a timeout or a response
   * that is not a server message. */
  const post = async (m: ClientMsg, timeout: number, ctl = new AbortController()): Promise<ServerMsg | null> => {
    const timer = setTimeout(() => ctl.abort(), timeout);
    try {
      const res = await env.fetch(loc.pathname + loc.search, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: json({ ...m, token, seq: link.seq() }),
        credentials: 'same-origin',
        signal: ctl.signal,
      });
      if (res.status === 204) return null;
      const body = await res.json().catch(() => null);
      if (!body || typeof body.t !== 'string') throw 0;
      return body as ServerMsg;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    mode: () => mode,
    start: connect,
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(probeTimer);
      abortPolls();
      const s = ws;
      ws = null;
      if (s) s.close();
    },
    send,
    unqueue(ref) {
      queue = queue.filter((m) => m.ref !== ref);
    },
  };
}
