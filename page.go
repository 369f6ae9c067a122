package livetemplate

import (
	"bytes"
	"errors"
	"html"
	"net/http"
	"strconv"

	"github.com/lvtgo/livetemplate/client"
)

// servePage renders the full page for a GET. The page is remembered by
// its token until its live connection comes (at most pageTimeout, and at
// most Limits.MaxPendingPages pages at once), with its first render while
// the handler's budget for them lasts, so the connection need not render
// again. Nothing is stored for the page's group: a page that never
// connects costs a few hundred bytes for a minute. HEAD answers the headers
// only and remembers nothing.
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	id, ok := h.identify(w, r)
	if !ok {
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", h.frameCSP)
	if h.frameXFO != "" {
		hd.Set("X-Frame-Options", h.frameXFO)
	}
	if r.Method == http.MethodHead {
		return
	}
	ctx := r.Context()
	c, err := h.newConn(ctx, id, h.clientIP(r), r)
	if err != nil {
		h.pageError(w, err)
		return
	}
	// Render from the states the page shows, held only for the render.
	scopes := make([]*scope, 0, len(c.keys))
	defer func() {
		for _, s := range scopes {
			h.release(s)
		}
	}()
	for _, k := range c.keys {
		s, err := h.acquire(ctx, k, id, r)
		if err != nil {
			h.pageError(w, err)
			return
		}
		scopes = append(scopes, s)
	}
	c.mu.Lock()
	c.scopes = scopes
	tree, view, err := c.render()
	c.scopes = nil
	c.mu.Unlock()
	if err != nil {
		h.log.Error("render failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	html := tree.HTML()
	if cost := int64(len(html)); h.cache.take(cost) {
		c.target, c.targetOf = tree, view
		c.cost.Store(cost)
	}
	h.pages.addFresh(c)
	page := injectScript([]byte(html), scriptTag(c.token))
	hd.Set("Content-Length", strconv.Itoa(len(page)))
	_, _ = w.Write(page)
}

func (h *Handler) pageError(w http.ResponseWriter, err error) {
	var ue *UserError
	switch {
	case errors.As(err, &ue):
		http.Error(w, ue.Message, http.StatusBadRequest)
	case errors.Is(err, ErrClosed):
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
	default:
		h.log.Error("page load failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// scriptTag is the client's script tag for a page with the given token.
func scriptTag(token string) []byte {
	return []byte(`<script src="?` + clientQuery + `=` + client.Hash() + `" data-lvt-token="` +
		html.EscapeString(token) + `" defer></script>`)
}

// injectScript puts tag before the page's last </body>, or at its end.
func injectScript(page, tag []byte) []byte {
	i := bytes.LastIndex(bytes.ToLower(page), []byte("</body>"))
	if i < 0 {
		i = len(page)
	}
	out := make([]byte, 0, len(page)+len(tag))
	out = append(out, page[:i]...)
	out = append(out, tag...)
	return append(out, page[i:]...)
}
