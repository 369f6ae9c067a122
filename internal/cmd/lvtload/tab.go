package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// group is one simulated browser: its tabs share a cookie jar, so they share
// the anonymous session cookie and thus the group's state on the server.
type group struct {
	id     int
	client *http.Client // with the group's jar; transport shared by all groups
	jar    http.CookieJar
	tabs   []*tab
	sender *tab // the first reading tab: the one that acts in fanout

	// For the fanout scenario: when the group's sender sent its action
	// (UnixNano) and which count the other tabs wait for.
	sentAt atomic.Int64
	expect atomic.Int64
}

// reply is an action's answer, as a reader hands it to the tab's sender.
type reply struct {
	ref     int64
	errCode string
	at      time.Time
}

// tab is one simulated browser tab: one page load and one WebSocket. A
// reading tab's messages are read by its own goroutine (readLoop), which is
// the only writer of the fields below conn; its sender (the scenario) only
// writes actions and receives replies.
type tab struct {
	f      *fleet
	g      *group
	idx    int  // index in fleet.tabs
	reader bool // false: a tab that never reads its socket
	conn   *websocket.Conn

	abandoned atomic.Bool // failed to open: its end is not an error

	joined  chan struct{} // closed when the first tree arrived
	replies chan reply    // buffered: one action in flight per tab
	wbuf    []byte        // the sender's message buffer

	// Written by readLoop only.
	rbuf  []byte
	seq   uint64
	count atomic.Int64
}

// connect loads the page, opens the WebSocket with the page's origin and the
// group's cookies, and sends join. A reading tab then starts its reader and
// waits for its tree; a non-reader returns once join is sent.
func (t *tab) connect(ctx context.Context, page *url.URL, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	token, err := t.loadPage(ctx, page)
	if err != nil {
		return err
	}
	wsURL := *page
	wsURL.Scheme = "ws"
	hdr := http.Header{}
	hdr.Set("Origin", page.Scheme+"://"+page.Host) // the client's jar adds the cookie
	conn, resp, err := websocket.Dial(ctx, wsURL.String(), &websocket.DialOptions{HTTPClient: t.g.client, HTTPHeader: hdr})
	if err != nil {
		if resp != nil {
			return &stepError{step: "dial", err: fmt.Errorf("status %d: %w", resp.StatusCode, err)}
		}
		return &stepError{step: "dial", err: err}
	}
	t.conn = conn
	conn.SetReadLimit(1 << 20)
	join := append([]byte(`{"t":"join","token":`), strconv.Quote(token)...)
	join = append(join, `,"seq":0}`...)
	if err := conn.Write(ctx, websocket.MessageText, join); err != nil {
		return &stepError{step: "join", err: err}
	}
	if !t.reader {
		return nil
	}
	t.f.readers.Go(t.readLoop)
	select {
	case <-t.joined:
		return nil
	case <-ctx.Done():
		return &stepError{step: "join", err: fmt.Errorf("no tree: %w", ctx.Err())}
	}
}

// loadPage GETs the page and returns its handoff token (data-lvt-token).
func (t *tab) loadPage(ctx context.Context, page *url.URL) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page.String(), nil)
	if err != nil {
		return "", &stepError{step: "get", err: err}
	}
	resp, err := t.g.client.Do(req)
	if err != nil {
		return "", &stepError{step: "get", err: err}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return "", &stepError{step: "get", err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return "", &stepError{step: "get", err: fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(body))}
	}
	const attr = `data-lvt-token="`
	i := bytes.Index(body, []byte(attr))
	if i < 0 {
		return "", &stepError{step: "token", err: errors.New("no data-lvt-token in the page")}
	}
	rest := body[i+len(attr):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", &stepError{step: "token", err: errors.New("unterminated data-lvt-token")}
	}
	return html.UnescapeString(string(rest[:j])), nil
}

// readLoop reads every message until the connection ends.
func (t *tab) readLoop() {
	f := t.f
	first := true
	defer func() {
		if first { // never joined: unblock connect
			close(t.joined)
		}
	}()
	for {
		// Not f.ctx: a cancellable context costs each read a context.AfterFunc
		// registered with one parent shared by every tab; close ends the reads.
		b, err := t.read(context.Background())
		if err != nil {
			if f.ctx.Err() == nil && !f.closing.Load() && !t.abandoned.Load() {
				f.dropped.Add(1)
				f.noteErr("read", err)
			}
			return
		}
		now := time.Now()
		f.received.Add(1)
		m := parseMsg(b)
		if m.hasSeq {
			if m.typ != "tree" && m.seq != t.seq+1 {
				f.gaps.Add(1)
			}
			t.seq = m.seq
		}
		if m.hasCount {
			t.count.Store(m.count)
		}
		switch m.typ {
		case "tree":
			if first {
				first = false
				close(t.joined)
			} else if m.hasCount { // a server may resend the whole tree
				f.delivered(t, m.count, now)
			}
		case "patch":
			if m.hasCount {
				f.delivered(t, m.count, now)
			}
		case "reply":
			if m.errCode != "" {
				f.errReplies.Add(1)
			}
			select {
			case t.replies <- reply{ref: m.ref, errCode: m.errCode, at: now}:
			default:
				f.strayReplies.Add(1)
			}
		case "reload":
			f.reloads.Add(1)
		default:
			f.unknown.Add(1)
		}
	}
}

// read reads one text message into the tab's buffer, reusing it.
func (t *tab) read(ctx context.Context) ([]byte, error) {
	_, r, err := t.conn.Reader(ctx)
	if err != nil {
		return nil, err
	}
	buf := t.rbuf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			t.rbuf = buf
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// act sends one increment with the given ref.
func (t *tab) act(ctx context.Context, ref int64) error {
	b := append(t.wbuf[:0], `{"t":"action","ref":`...)
	b = strconv.AppendInt(b, ref, 10)
	b = append(b, `,"name":"increment","data":{}}`...)
	t.wbuf = b
	return t.conn.Write(ctx, websocket.MessageText, b)
}

// stepError says which step of opening a tab failed.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// newGroup makes a group with its own cookie jar.
func newGroup(id int, tr http.RoundTripper) *group {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &group{id: id, jar: jar, client: &http.Client{Transport: tr, Jar: jar}}
}
