// The live connection (docs/protocol.md §3): a WebSocket to the page URL,
// or, when WebSockets cannot be used, HTTP POSTs to the same URL with long
// polls for the server's pushes.
//
// Every failure goes through fail(): the next attempt comes after an
// exponential backoff with jitter (0.5 s doubling to 30 s; 2–4 s doubling to
// 60 s after a refusal: HTTP 429 or close code 4029, and never before
// Retry-After). The backoff restarts only after a connection stayed up 10 s,
// so no path can send requests in a tight loop.
//
// - A WebSocket that fails to open switches to HTTP (at once the first time,
//   after the backoff when attempts are failing already).
// - A WebSocket that opens and then dies is reconnected; if it dies 3 times
//   within 30 s without staying up a minute (1001, the server going away,
//   and 1012, a server restarting, do not count), the client falls back to
//   HTTP.
// - 4029 (too many connections) backs off and stays on WebSocket: HTTP would
//   be refused too. 1008, 4001, 4003 and HTTP 401, 403 cannot heal: halt().
// - On HTTP, a WebSocket is tried again after 2–4 s, doubling to 30–60 s
//   (the backoff starts again only after a WebSocket stayed up a minute);
//   when one opens, the client moves back to it: the join answers with a
//   tree, and actions sent over HTTP meanwhile are answered over HTTP. When
//   HTTP fails too, the next attempt starts with a WebSocket. So it neither
//   flaps nor stays on HTTP, and a server or proxy that refuses every
//   upgrade sees one a minute at most.
// - A tree may carry a new page token (the server made a new page
//   connection, e.g. after a restart): every later join and POST carries it.
// - A navigation (nav) switches to another page's token: over WebSocket it
//   sends navigate on the same socket; over HTTP it stops the long poll,
//   POSTs navigate and polls again once the answer is in.

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

/** A connection problem, as lvt:error reports it. */
export interface ConnError {
  code: string;
  message: string;
  /** ms until the next attempt */
  retryIn?: number;
}

/** What the transport needs from the browser (tests pass fakes). */
export interface Env {
  WebSocket?: { new (url: string): WebSocket };
  fetch: typeof fetch;
  location: Pick<Location, 'protocol' | 'host' | 'pathname' | 'search' | 'href' | 'assign' | 'replace'>;
  random(): number;
}

/** The transport's owner. */
export interface Link {
  /** A message from the server. */
  message(m: ServerMsg): void;
  /** The connection is down: it was lost (was: it had been up) or an
   * attempt failed; the next attempt is scheduled. err is set after a
   * refusal (rate_limited). */
  down(was: boolean, err?: ConnError): void;
  /** The server refused for good: the transport has stopped. */
  fail(err: ConnError): void;
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
  /** token is the page token every join and POST carries. */
  token(): string;
  /** nav makes token the page token and, if connected, sends m (a
   * navigate); it reports whether it did. Not connected, the next join or
   * sync takes the new token's page. */
  nav(token: string, m: ClientMsg): boolean;
  /** check makes sure the connection works: over a WebSocket it pings and
   * gives the pong ms, else drops the socket and reconnects; over HTTP it
   * starts a new poll. wake (the page woke up): a connection that is down
   * is tried again at once, and a dead socket is replaced at once. */
  check(ms: number, wake: boolean): void;
}

export const OPEN_TIMEOUT = 10_000;
/** PATIENCE is how long a ping waits for its pong behind an unanswered
 * action: as long as the action waits for its reply (live.ts). */
export const PATIENCE = 15_000;
export const POLL_TIMEOUT = 65_000;
export const POST_TIMEOUT = 20_000;
export const STABLE = 60_000;
/** A connection lost after this long restarts the backoff. */
export const HEALTHY = 10_000;
export const FLAP_WINDOW = 30_000;
export const FLAPS = 3;
/** On HTTP, WebSockets are tried again after 2–4 s, doubling to 60 s. */
export const PROBE_BASE = 4_000;
export const PROBE_CAP = 60_000;
export const BACKOFF_BASE = 500;
export const BACKOFF_CAP = 30_000;
/** After a refusal the backoff starts at 2–4 s and is capped at 60 s. */
export const REFUSED_BASE = 4_000;
export const REFUSED_CAP = 60_000;
/** Polls answered (204, or a tree) faster than this twice in a row back off. */
export const FAST_POLL = 1_000;

/** Close codes and HTTP statuses that cannot heal. */
const FATAL: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  1008: 'refused',
  4001: 'unauthorized',
  4003: 'forbidden',
};

type Timer = ReturnType<typeof setTimeout> | undefined;
/** An HTTP answer: status (0: network error or timeout), server message, Retry-After in ms. */
type Answer = [number, ServerMsg | null, number];

/** jitter spreads a delay over [d/2, d). */
export const jitter = (env: Env, d: number) => d * (0.5 + env.random() / 2);

const msg = (x: unknown) => (x && typeof (x as ServerMsg).t === 'string' ? (x as ServerMsg) : null);

const rateLimited = (message?: string): ConnError => ({
  code: 'rate_limited',
  message: message || 'The server is busy; retrying.',
});

export function transport(env: Env, token: string, link: Link): Transport {
  let mode: Mode = 'websocket';
  let ws: WebSocket | null = null;
  let up = false;
  let upAt = 0;
  let queue: ClientMsg[] = [];
  let deaths: number[] = [];
  let attempt = 0;
  let probes = 0;
  let conn = 0; // connections made: a reply over an older one only settles
  let preferHTTP = false;
  let retryTimer: Timer;
  let probeTimer: Timer;
  let polls: AbortController | null = null;
  let stopped = false;
  let pingTimer: Timer;
  let pingWake = false; // the ping in flight checks a wake-up
  let pingAt = 0; // when the ping in flight was sent
  // The actions sent on the socket and not answered yet: the server reads a
  // socket's messages in turn, so a ping waits behind a slow action.
  const answering = new Set<number>();
  const loc = env.location;
  const json = JSON.stringify;

  const recv = (m: ServerMsg): void => {
    if (m.t === 'reply') answering.delete(m.ref as number);
    if (m.t === 'pong') return void (pingTimer = void clearTimeout(pingTimer));
    if (m.t === 'tree' && typeof m.token === 'string') token = m.token;
    link.message(m);
  };

  const send = (m: ClientMsg): void => {
    const navigate = m.t === 'navigate';
    if (!up) queue.push(m);
    else if (mode === 'websocket') {
      if (m.t === 'action') answering.add(m.ref!);
      ws!.send(json(m));
    }
    else {
      // The open poll is the old page's: the next one waits for the answer.
      if (navigate) abortPolls();
      const c = conn;
      post(m, POST_TIMEOUT).then((r) => {
        // Any server message answers an action or a navigation, whatever
        // the status (a 429 carries its rate_limited reply): that is not a
        // transport failure.
        if (r[1] && m.ref && !FATAL[r[0]]) recv(c === conn ? r[1] : settles(r[1]));
        else {
          // Anything else (a sync) is handled like a poll.
          const a = FATAL[r[0]] || (up && mode === 'http') ? ok(r) : false;
          if (a) recv(a);
          else if (a === false) link.lost(m);
        }
        if (navigate && up && mode === 'http' && !stopped && !polls) poll();
      });
    }
  };

  /** settles is the reply x to an action sent over a connection since
   * replaced (HTTP, before the client moved to a WebSocket) without the
   * patch it carries, which the new connection does not number: it only
   * settles the action; the new connection brings what it changed. */
  const settles = (x: ServerMsg): ServerMsg => {
    if (x.t !== 'reply') return x;
    const { seq, patch, ...rest } = x;
    return rest;
  };

  const connect = (): void => {
    if (stopped || up) return;
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
      answering.clear(); // what the last socket waited for, it will not answer
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
      let m: ServerMsg | null = null;
      try {
        m = msg(JSON.parse(String(e.data)));
      } catch {}
      if (!m) return s.close();
      recv(m);
    };
    s.onclose = ({ code, reason }: CloseEvent) => {
      clearTimeout(timer);
      const opened = openedAt >= 0;
      if (stopped || (opened && ws !== s)) return;
      if (opened) ws = null;
      if (FATAL[code]) return refused(code, reason);
      // Too many connections: HTTP would be refused too; stay on WebSocket.
      if (code === 4029) return fail(rateLimited(reason));
      if (!opened) return noSocket(probe);
      // An open WebSocket died.
      const now = Date.now();
      if (now - openedAt >= STABLE) {
        deaths = [];
        probes = 0;
      }
      // 1001, 1012: the server goes away, restarts (drains): not a flap.
      if (code !== 1001 && code !== 1012) {
        deaths = deaths.filter((t) => now - t < FLAP_WINDOW);
        if (deaths.push(now) >= FLAPS) {
          deaths = [];
          preferHTTP = true;
        }
      }
      fail();
    };
  };

  /** A WebSocket could not be opened. */
  const noSocket = (probe: boolean): void => {
    if (probe) return probeLater();
    preferHTTP = true;
    if (attempt) fail();
    else startHTTP();
  };

  /** startHTTP starts HTTP mode: a sync for the full tree, then polls. */
  const startHTTP = (): void => {
    mode = 'http';
    post({ t: 'sync' }, POST_TIMEOUT).then((r) => {
      if (mode !== 'http' || stopped || up) return;
      const m = ok(r);
      // HTTP fails too (the server is down?): try WebSocket first next time.
      if (m === false) return void (preferHTTP = false);
      setUp();
      if (m) recv(m);
      // The answer may have stopped everything (a reload).
      if (stopped) return;
      poll();
      probeLater();
    });
  };

  const poll = async (): Promise<void> => {
    const ctl = (polls = new AbortController());
    let fast = 0;
    while (polls === ctl && !stopped) {
      const t0 = Date.now();
      const r = await post({ t: 'poll' }, POLL_TIMEOUT, ctl);
      if (polls !== ctl || stopped) return;
      const m = ok(r);
      if (m === false) return;
      // 204 is the long poll's normal end; answered at once, again and
      // again, the server is misbehaving: slow down.
      fast = Date.now() - t0 < FAST_POLL && (!m || m.t === 'tree') ? fast + 1 : 0;
      if (m) recv(m);
      if (fast > 1) await new Promise((w) => setTimeout(w, jitter(env, Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** fast))));
    }
  };

  /** ok returns the server message of a 2xx answer (null for 204); any
   * other answer is a failure, handled here (halt, or fail with backoff),
   * and ok returns false. */
  const ok = ([status, m, ra]: Answer): ServerMsg | null | false => {
    const message = m && m.error ? (m.error as ConnError).message : '';
    if (FATAL[status]) refused(status, message);
    else if (status === 429) fail(rateLimited(message), ra);
    else if (status > 199 && status < 300 && (m || status === 204)) return m;
    else fail();
    return false;
  };

  /** fail: the connection is down, or an attempt failed. The next attempt
   * comes after a jittered exponential backoff (longer after a refusal,
   * err), and not before ms. */
  const fail = (err?: ConnError, ms = 0): void => {
    if (stopped) return;
    const was = up;
    if (up && Date.now() - upAt >= HEALTHY) attempt = 0;
    up = false;
    pingTimer = void clearTimeout(pingTimer);
    abortPolls();
    clearTimeout(probeTimer);
    const wait = err ? backoff(REFUSED_BASE, REFUSED_CAP, attempt, ms) : backoff(BACKOFF_BASE, BACKOFF_CAP, attempt, ms);
    attempt = Math.min(attempt + 1, 16);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, wait);
    link.down(was, err && { ...err, retryIn: wait });
  };

  /** refused: the server refused for good (code: a close code or HTTP status). */
  const refused = (code: number, message: string) =>
    halt({ code: FATAL[code], message: message || 'The server refused the connection.' });

  /** halt stops for good; with err, the server refused for good. */
  const halt = (err?: ConnError): void => {
    if (stopped) return;
    stopped = true;
    up = false;
    clearTimeout(retryTimer);
    clearTimeout(probeTimer);
    clearTimeout(pingTimer);
    abortPolls();
    const s = ws;
    ws = null;
    if (s) s.close();
    if (err) link.fail(err);
  };

  const abortPolls = (): void => {
    if (polls) polls.abort();
    polls = null;
  };

  /** backoff is the nth delay from base doubling to cap, spread over its
   * upper half by jitter, and not less than ms. */
  const backoff = (base: number, cap: number, n: number, ms = 0): number => {
    const d = Math.min(cap, base * 2 ** n);
    return Math.round(Math.max(ms, d / 2) + (env.random() * d) / 2);
  };

  /** probeLater tries a WebSocket again after the probe backoff. */
  const probeLater = (): void => {
    clearTimeout(probeTimer);
    probeTimer = setTimeout(
      () => mode === 'http' && up && !stopped && env.WebSocket && socket(true),
      backoff(PROBE_BASE, PROBE_CAP, probes),
    );
    probes = Math.min(probes + 1, 16);
  };

  const setUp = (): void => {
    up = true;
    conn++;
    upAt = Date.now();
    const q = queue;
    queue = [];
    q.forEach(send);
  };

  /** post sends one message over HTTP. */
  const post = async (m: ClientMsg, timeout: number, ctl = new AbortController()): Promise<Answer> => {
    const timer = setTimeout(() => ctl.abort(), timeout);
    try {
      const res = await env.fetch(loc.pathname + loc.search, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: json({ ...m, token, seq: link.seq() }),
        credentials: 'same-origin',
        signal: ctl.signal,
      });
      const s = res.status;
      return [
        s,
        s === 204 ? null : msg(await res.json().catch(() => 0)),
        s === 429 ? Math.min(+res.headers.get('Retry-After')! || 0, 600) * 1000 : 0,
      ];
    } catch {
      return [0, null, 0];
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    mode: () => mode,
    start: connect,
    stop: () => halt(),
    send,
    unqueue(ref) {
      queue = queue.filter((m) => m.ref !== ref);
    },
    token: () => token,
    check(ms, wake) {
      if (stopped) return;
      if (!up) {
        // Down, waiting for the next attempt: when the page wakes up, now.
        if (wake && retryTimer) {
          clearTimeout(retryTimer);
          retryTimer = undefined;
          connect();
        }
        return;
      }
      if (mode === 'http') {
        if (wake) {
          abortPolls();
          poll();
        }
        return;
      }
      if (pingTimer) {
        if (!wake || pingWake) return;
        clearTimeout(pingTimer);
      }
      pingWake = wake;
      pingAt = Date.now();
      const s = ws!;
      const late = () => {
        // No pong: the socket is dead (a laptop that slept, a server that
        // restarted unseen). Drop it and reconnect, at once on a wake-up.
        // But while an action waits for its reply the pong waits behind it:
        // give it as long as the action has.
        if (ws === s && answering.size && Date.now() - pingAt < PATIENCE) return void (pingTimer = setTimeout(late, ms));
        pingTimer = undefined;
        if (ws !== s) return;
        ws = null;
        s.close();
        fail();
        if (pingWake) {
          clearTimeout(retryTimer);
          connect();
        }
      };
      pingTimer = setTimeout(late, ms);
      s.send(json({ t: 'ping' }));
    },
    nav(t, m) {
      token = t;
      if (up) send(m);
      return up;
    },
  };
}
