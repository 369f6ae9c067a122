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

export const OPEN_TIMEOUT = 10_000;
export const POLL_TIMEOUT = 65_000;
export const POST_TIMEOUT = 20_000;
export const STABLE = 60_000;
export const FLAP_WINDOW = 30_000;
export const FLAPS = 3;
export const PROBE_EVERY = 60_000;
export const BACKOFF_BASE = 500;
export const BACKOFF_CAP = 30_000;

export class Transport {
  mode: Mode = 'websocket';
  private ws_: WebSocket | null = null;
  private up_ = false;
  private queue_: ClientMsg[] = [];
  private deaths_: number[] = [];
  private attempt_ = 0;
  private preferHTTP_ = false;
  private retryTimer_: ReturnType<typeof setTimeout> | undefined;
  private probeTimer_: ReturnType<typeof setTimeout> | undefined;
  private polls_: AbortController | null = null;
  private stopped_ = false;

  constructor(
    private readonly env_: Env,
    private readonly token_: string,
    private readonly link_: Link,
  ) {}

  start(): void {
    this.connect_();
  }

  /** stop closes everything for good (the page is going away). */
  stop(): void {
    this.stopped_ = true;
    clearTimeout(this.retryTimer_);
    clearTimeout(this.probeTimer_);
    this.abortPolls_();
    const ws = this.ws_;
    this.ws_ = null;
    if (ws) ws.close();
  }

  /** send delivers a message now, or when the connection is back. */
  send(m: ClientMsg): void {
    if (!this.up_) {
      this.queue_.push(m);
    } else if (this.mode === 'websocket') {
      this.ws_!.send(JSON.stringify(m));
    } else {
      this.post_(m, POST_TIMEOUT).then(
        (reply) => reply && this.link_.message(reply),
        () => {
          this.link_.lost(m);
          this.lose_();
        },
      );
    }
  }

  /** unqueue drops a message not sent yet; it reports whether there was one. */
  unqueue(ref: number): boolean {
    const i = this.queue_.findIndex((m) => m.ref === ref);
    if (i >= 0) this.queue_.splice(i, 1);
    return i >= 0;
  }

  private connect_(): void {
    if (this.stopped_) return;
    if (this.preferHTTP_ || !this.env_.WebSocket) this.http_();
    else this.socket_(false);
  }

  private socket_(probe: boolean): void {
    const loc = this.env_.location;
    const url = (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + loc.pathname + loc.search;
    let ws: WebSocket;
    try {
      ws = new this.env_.WebSocket!(url);
    } catch {
      this.noSocket_(probe);
      return;
    }
    let openedAt = -1;
    const timer = setTimeout(() => ws.close(), OPEN_TIMEOUT);
    ws.onopen = () => {
      clearTimeout(timer);
      if (this.stopped_) return ws.close();
      openedAt = Date.now();
      if (probe) {
        // Back from HTTP: stop polling; the join answers with a full tree.
        this.abortPolls_();
      }
      this.ws_ = ws;
      this.mode = 'websocket';
      this.preferHTTP_ = false;
      ws.send(JSON.stringify({ t: 'join', token: this.token_, seq: this.link_.seq() }));
      this.setUp_();
    };
    ws.onmessage = (e: MessageEvent) => {
      if (this.ws_ !== ws) return;
      let m: ServerMsg;
      try {
        m = JSON.parse(String(e.data));
      } catch {
        return ws.close();
      }
      this.attempt_ = 0;
      this.link_.message(m);
    };
    ws.onclose = () => {
      clearTimeout(timer);
      if (openedAt < 0) return this.noSocket_(probe);
      if (this.ws_ !== ws) return;
      this.ws_ = null;
      if (!this.stopped_) this.died_(openedAt);
    };
  }

  /** A WebSocket could not be opened. */
  private noSocket_(probe: boolean): void {
    if (this.stopped_) return;
    if (probe) {
      this.probeLater_();
    } else {
      this.preferHTTP_ = true;
      this.http_();
    }
  }

  /** An open WebSocket died. */
  private died_(openedAt: number): void {
    const now = Date.now();
    this.setDown_();
    if (now - openedAt >= STABLE) this.deaths_ = [];
    this.deaths_ = this.deaths_.filter((t) => now - t < FLAP_WINDOW);
    this.deaths_.push(now);
    if (this.deaths_.length >= FLAPS) {
      this.deaths_ = [];
      this.preferHTTP_ = true;
    }
    this.retry_();
  }

  /** http starts (or restarts) HTTP mode: a sync for the full tree, then polls. */
  private http_(): void {
    this.mode = 'http';
    this.post_({ t: 'sync' }, POST_TIMEOUT).then(
      (m) => {
        if (this.mode !== 'http' || this.stopped_) return;
        this.attempt_ = 0;
        this.setUp_();
        if (m) this.link_.message(m);
        this.poll_();
        this.probeLater_();
      },
      () => {
        if (this.mode !== 'http' || this.stopped_) return;
        // HTTP fails too: the server is unreachable; try WebSocket first next time.
        this.preferHTTP_ = false;
        this.setDown_();
        this.retry_();
      },
    );
  }

  private async poll_(): Promise<void> {
    const ctl = new AbortController();
    this.polls_ = ctl;
    while (this.polls_ === ctl && !this.stopped_) {
      let m: ServerMsg | null;
      try {
        m = await this.post_({ t: 'poll' }, POLL_TIMEOUT, ctl);
      } catch {
        if (this.polls_ === ctl) this.lose_();
        return;
      }
      if (this.polls_ === ctl && m) this.link_.message(m);
    }
  }

  /** lose handles a failed HTTP request: the connection is down, retry. */
  private lose_(): void {
    if (this.mode !== 'http' || !this.up_) return;
    this.abortPolls_();
    this.setDown_();
    this.retry_();
  }

  private abortPolls_(): void {
    if (this.polls_) this.polls_.abort();
    this.polls_ = null;
  }

  private probeLater_(): void {
    clearTimeout(this.probeTimer_);
    this.probeTimer_ = setTimeout(() => {
      if (this.mode === 'http' && !this.stopped_ && this.env_.WebSocket) this.socket_(true);
    }, PROBE_EVERY);
  }

  private retry_(): void {
    clearTimeout(this.retryTimer_);
    const delay = Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** this.attempt_) * (0.5 + this.env_.random() / 2);
    this.attempt_ = Math.min(this.attempt_ + 1, 16);
    this.retryTimer_ = setTimeout(() => this.connect_(), delay);
  }

  private setUp_(): void {
    this.up_ = true;
    const q = this.queue_;
    this.queue_ = [];
    for (const m of q) this.send(m);
  }

  private setDown_(): void {
    if (!this.up_) return;
    this.up_ = false;
    this.link_.down();
  }

  /** post sends one message over HTTP; it resolves to the server's answer
   * (null for 204) and rejects on a network error, a timeout or a response
   * that is not a server message. */
  private async post_(m: ClientMsg, timeout: number, ctl = new AbortController()): Promise<ServerMsg | null> {
    const loc = this.env_.location;
    const timer = setTimeout(() => ctl.abort(), timeout);
    try {
      const res = await this.env_.fetch(loc.pathname + loc.search, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...m, token: this.token_, seq: this.link_.seq() }),
        credentials: 'same-origin',
        signal: ctl.signal,
      });
      if (res.status === 204) return null;
      const body = await res.json().catch(() => null);
      if (!body || typeof body.t !== 'string') throw new Error('livetemplate: bad HTTP response ' + res.status);
      return body as ServerMsg;
    } finally {
      clearTimeout(timer);
    }
  }
}
