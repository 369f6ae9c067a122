package livetemplate

import (
	"bytes"
	"errors"
	"html"
	"net/http"
	"strconv"

	"github.com/lvtgo/livetemplate/client"
)

// servePage renders the full page for a GET and remembers the render, so the
// live connection that follows reuses it instead of rendering again.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	id, ok := h.identify(w, r)
	if !ok {
		return
	}
	c, err := h.newConn(r.Context(), id, r.Clone(h.ctx))
	if err != nil {
		h.pageError(w, err)
		return
	}
	g := c.g
	if err := g.mu.LockContext(r.Context()); err != nil {
		return
	}
	tree, err := h.render(g, c)
	if err == nil {
		c.initial, c.initialVer = tree, g.version
	}
	g.mu.Unlock()
	if err != nil {
		h.log.Error("render failed", "conn", c.logID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	page := injectScript([]byte(tree.HTML()), scriptTag(c.token))
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(len(page)))
	_, _ = w.Write(page)
}

func (h *handler) pageError(w http.ResponseWriter, err error) {
	var ue *UserError
	switch {
	case errors.As(err, &ue):
		http.Error(w, ue.Message, http.StatusBadRequest)
	case errors.Is(err, errClosed):
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
