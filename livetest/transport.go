package livetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// wsLink is a page's WebSocket: join, then a reader goroutine that applies
// every message.
type wsLink struct {
	p *Page
	c *websocket.Conn
}

func (l *wsLink) start(ctx context.Context) error {
	p := l.p
	p.mu.Lock()
	u := "ws" + strings.TrimPrefix(p.b.srv.URL, "http") + p.path
	p.mu.Unlock()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient: p.b.hc,
		HTTPHeader: http.Header{"Origin": {p.b.srv.URL}},
	})
	if err != nil {
		if resp != nil {
			return fmt.Errorf("WebSocket refused: %s: %w", resp.Status, err)
		}
		return fmt.Errorf("WebSocket: %w", err)
	}
	c.SetReadLimit(-1) // trees are as large as pages
	l.c = c
	p.wg.Go(l.read)
	p.mu.Lock()
	token := p.token
	p.mu.Unlock()
	return l.send(ctx, map[string]any{"t": "join", "token": token, "seq": 0})
}

// read applies messages until the connection ends.
func (l *wsLink) read() {
	p := l.p
	for {
		_, data, err := l.c.Read(p.ctx)
		if !p.current(l) {
			return // the tab loaded another page in full
		}
		if err != nil {
			if p.ctx.Err() == nil {
				p.stop(fmt.Errorf("%w: the connection ended: %s", ErrClosed, closeReason(err)))
			}
			return
		}
		if p.receive(data) {
			p.sync()
		}
	}
}

// closeReason describes how a WebSocket ended.
func closeReason(err error) string {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Sprintf("closed by the server with %d %q", int(ce.Code), ce.Reason)
	}
	return err.Error()
}

func (l *wsLink) send(ctx context.Context, msg map[string]any) error {
	js, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	return l.c.Write(ctx, websocket.MessageText, js)
}

func (l *wsLink) close() {
	if l.c != nil {
		_ = l.c.Close(websocket.StatusGoingAway, "tab closed")
	}
}

// httpLink is a page served over HTTP: every message a POST, pushes by a
// long poll on a goroutine of the page.
type httpLink struct{ p *Page }

func (l *httpLink) start(ctx context.Context) error {
	if err := l.send(ctx, map[string]any{"t": "sync"}); err != nil {
		return err
	}
	l.p.wg.Go(l.poll)
	return nil
}

// poll long-polls until the page stops.
func (l *httpLink) poll() {
	p := l.p
	for p.ctx.Err() == nil && p.stopped() == nil && p.current(l) {
		p.mu.Lock()
		token := p.token
		p.mu.Unlock()
		status, body, retry, err := l.post(p.ctx, map[string]any{"t": "poll"})
		p.mu.Lock()
		moved := p.token != token
		p.mu.Unlock()
		switch {
		case p.ctx.Err() != nil || !p.current(l):
			return
		case moved:
			// The page moved to another page while the poll waited: the
			// answer is about the old one.
		case err != nil:
			p.stop(fmt.Errorf("%w: poll: %w", ErrClosed, err))
			return
		case status == http.StatusNoContent:
		case status == http.StatusOK:
			if p.receive(body) {
				p.sync()
			}
		case status == http.StatusTooManyRequests:
			select {
			case <-time.After(retry):
			case <-p.ctx.Done():
			}
		default:
			p.stop(fmt.Errorf("%w: poll answered %d: %s", ErrClosed, status, clip(body)))
			return
		}
	}
}

// send POSTs msg and handles the answer.
func (l *httpLink) send(ctx context.Context, msg map[string]any) error {
	status, body, _, err := l.post(ctx, msg)
	if err != nil {
		return err
	}
	switch {
	case status == http.StatusNoContent:
		return nil
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		err := fmt.Errorf("%w: refused with %d: %s", ErrClosed, status, clip(body))
		l.p.stop(err)
		return err
	case status >= 500 || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")):
		return fmt.Errorf("the server answered %d: %s", status, clip(body))
	case status >= 300 && msg["t"] != "action":
		// A refused sync (too many connections, say): only an action's
		// refusal is a reply to hand to its waiter.
		return fmt.Errorf("the server answered %d: %s", status, clip(body))
	}
	// 2xx, and an action's 4xx or 429, carry a server message (an
	// action's error reply).
	if l.p.receive(body) {
		l.p.sync()
	}
	return nil
}

// post sends one message with the page's token and seq.
func (l *httpLink) post(ctx context.Context, msg map[string]any) (status int, body []byte, retry time.Duration, err error) {
	p := l.p
	p.mu.Lock()
	if _, ok := msg["token"]; !ok {
		msg["token"] = p.token
	}
	if _, ok := msg["seq"]; !ok {
		msg["seq"] = p.seq
	}
	path := p.path
	p.mu.Unlock()
	js, err := json.Marshal(msg)
	if err != nil {
		return 0, nil, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.b.srv.URL+path, bytes.NewReader(js))
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", p.b.srv.URL)
	resp, err := p.b.hc.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, 0, err
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		retry = time.Duration(s) * time.Second
	}
	return resp.StatusCode, body, retry, nil
}

// close does nothing: an HTTP page has no connection to end, and its poll
// stops when the page's context ends or another link replaces it.
func (l *httpLink) close() {}
