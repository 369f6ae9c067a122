package livetemplate

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/transport"
)

// servePost carries one message over plain HTTP: the same messages and
// replies as the WebSocket, for clients that cannot open one. A page served
// this way is live while its client polls.
func (h *Handler) servePost(w http.ResponseWriter, r *http.Request) {
	body, err := h.post.ReadMessage(r)
	if err != nil {
		transport.WriteError(w, wire.FindRef(body), err)
		return
	}
	id, ok := h.identify(w, r)
	if !ok {
		return
	}
	m, err := wire.Decode(body)
	if err != nil {
		transport.WriteMessage(w, http.StatusBadRequest, wire.AppendError(nil, wire.FindRef(body), wire.CodeBadRequest, "Malformed message.", nil))
		return
	}
	ctx := r.Context()
	c := h.pages.lookup(m.Token, id)
	if m.T == wire.TypeAction && c == nil {
		// The page is not known here (say the server restarted): the
		// action is not applied; the client's next poll gets a fresh page.
		transport.WriteMessage(w, http.StatusOK, wire.AppendError(nil, m.Ref, wire.CodeBadRequest, errNotLive.Message, nil))
		return
	}
	fresh := false
	if c == nil {
		if c, err = h.newConn(ctx, id, h.clientIP(r), r); err != nil {
			h.postError(w, m.Ref, err)
			return
		}
		c.newToken = true
		h.pages.addLive(c)
		fresh = true
	}
	c.touch()
	if !h.live(c) {
		if old := c.socket(); old != nil {
			// The page left its WebSocket for HTTP (the socket may look
			// alive here for a while yet): serve it by polls from now on.
			h.detach(c, old)
			_ = old.Close(transport.CloseNormal, "the page moved to HTTP")
		}
		stored, err := h.attach(ctx, c, attachment{req: r, seq: m.Seq})
		switch {
		case errors.Is(err, errTaken) && h.live(c):
			// Another request of this page attached it meanwhile.
		case err != nil:
			if fresh {
				h.pages.forget(c)
			}
			h.postError(w, m.Ref, err)
			return
		case fresh && m.Seq > 0 && !stored:
			// The client shows a state this server no longer has.
			h.detach(c, nil)
			h.pages.forget(c)
			transport.WriteMessage(w, http.StatusOK, wire.AppendReload(nil, "state_lost"))
			return
		}
	}
	switch m.T {
	case wire.TypeAction:
		h.postAction(ctx, w, r, c, m)
	case wire.TypePoll:
		h.poll(ctx, w, c, m.Seq)
	default: // join and sync: the full tree
		h.writeTree(w, c)
	}
}

// live reports whether c is served by HTTP polls now.
func (h *Handler) live(c *conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.polling
}

// socket returns the WebSocket serving c, if any.
func (c *conn) socket() *transport.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws
}

// postAction applies an action sent over HTTP and answers with its reply.
// The reply is written after the group is unlocked: the network never
// holds a group.
func (h *Handler) postAction(ctx context.Context, w http.ResponseWriter, r *http.Request, c *conn, m wire.Message) {
	if ok, retry := h.allow(c); !ok {
		w.Header().Set("Retry-After", retryAfter(retry))
		transport.WriteMessage(w, http.StatusTooManyRequests, wire.AppendError(nil, m.Ref, wire.CodeRateLimited, "Too many actions; slow down.", nil))
		return
	}
	if err := h.act(ctx, c, action{name: m.Name, data: m.Data, req: r}); err != nil {
		transport.WriteMessage(w, http.StatusOK, h.errorReply(c, m.Ref, m.Name, err))
		return
	}
	c.mu.Lock()
	seq, patch := c.advance(true)
	c.mu.Unlock()
	transport.WriteMessage(w, http.StatusOK, wire.AppendReply(nil, m.Ref, seq, patch))
}

// poll answers a poll: at once with a full tree when the client does not
// hold what the page last sent, else with the next patch, or 204 when
// nothing changed within pollTimeout.
func (h *Handler) poll(ctx context.Context, w http.ResponseWriter, c *conn, seq uint64) {
	c.mu.Lock()
	full := c.full || c.stream.Last() == nil || seq != c.seq
	notify := c.notify
	c.mu.Unlock()
	if full {
		h.writeTree(w, c)
		return
	}
	t := time.NewTimer(pollTimeout)
	defer t.Stop()
	for {
		c.mu.Lock()
		n, patch := c.advance(false)
		c.mu.Unlock()
		if patch != nil {
			transport.WriteMessage(w, http.StatusOK, wire.AppendPatch(nil, n, patch))
			return
		}
		select {
		case <-notify:
		case <-t.C:
			c.touch()
			w.WriteHeader(http.StatusNoContent)
			return
		case <-ctx.Done():
			return
		case <-h.ctx.Done():
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		c.touch()
	}
}

// writeTree answers with a full tree.
func (h *Handler) writeTree(w http.ResponseWriter, c *conn) {
	c.mu.Lock()
	msg, err := c.treeMessage()
	c.mu.Unlock()
	if err != nil {
		h.log.Error("encode tree failed", "conn", c.logID, "err", err)
		transport.WriteMessage(w, http.StatusInternalServerError, wire.AppendError(nil, 0, wire.CodeInternal, "Something went wrong.", nil))
		return
	}
	transport.WriteMessage(w, http.StatusOK, msg)
}

// postError answers an HTTP message whose page could not be opened.
func (h *Handler) postError(w http.ResponseWriter, ref int64, err error) {
	var ue *UserError
	switch {
	case errors.Is(err, errTooMany):
		w.Header().Set("Retry-After", "10")
		transport.WriteMessage(w, http.StatusTooManyRequests, wire.AppendError(nil, ref, wire.CodeTooMany, "Too many connections.", nil))
	case errors.As(err, &ue):
		transport.WriteMessage(w, http.StatusBadRequest, wire.AppendError(nil, ref, wire.CodeFailed, ue.Message, nil))
	case errors.Is(err, ErrClosed), errors.Is(err, context.Canceled):
		w.Header().Set("Retry-After", "5")
		transport.WriteMessage(w, http.StatusServiceUnavailable, wire.AppendError(nil, ref, wire.CodeInternal, "The server is shutting down.", nil))
	default:
		h.log.Error("cannot open page", "err", err)
		transport.WriteMessage(w, http.StatusInternalServerError, wire.AppendError(nil, ref, wire.CodeInternal, "Something went wrong.", nil))
	}
}

// retryAfter formats a Retry-After value: whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}
