package protocol

import (
	"bytes"
	"html"
	"net/http"
	"strconv"
	"time"

	"github.com/lvtgo/livetemplate/client"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/transport"
)

// servePage renders the full page for a GET, with the client script before
// </body>; the page waits for its live connection (runtime.Load). A
// navigation GET (header Lvt-Navigate) gets the new page's token instead,
// for the live connection to move to. HEAD answers the headers only and
// remembers nothing.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, v *runtime.View) {
	start, addr := time.Now(), s.o.ClientAddr(r)
	refused := func(fe *fault.Error) {
		s.refuse(fe, addr, telemetry.HTTP)
		if r.Method != http.MethodHead {
			s.loaded(v, start, 0, fe)
		}
	}
	id, ok := s.identify(w, r, func(fe *fault.Error) { refused(fe); plain(w)(fe) })
	if !ok {
		return
	}
	_, nav := r.Header[wire.NavigateHeader]
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Vary", wire.NavigateHeader)
	hd.Set("Content-Security-Policy", s.frameCSP)
	if s.frameXFO != "" {
		hd.Set("X-Frame-Options", s.frameXFO)
	}
	if r.Method == http.MethodHead {
		hd.Set("Content-Type", "text/html; charset=utf-8")
		return
	}
	l := runtime.Loading{View: v, ID: id, Addr: addr, Request: r, From: r.Header.Get(wire.NavigateHeader)}
	if c, err := r.Cookie(flashCookie); err == nil {
		l.Flash = c.Value
		s.setFlashCookie(w, r, "") // shown once
	}
	out, err := s.rt.Load(r.Context(), l)
	switch {
	case err != nil:
		fe := s.refused(err, "page load failed")
		refused(fe)
		if nav {
			fault.WriteHTTP(w, 0, fe)
			return
		}
		plain(w)(fe)
		return
	case out.Redirect != "":
		s.loaded(v, start, 0, nil)
		if out.Parked != "" {
			s.setFlashCookie(w, r, out.Parked)
		}
		http.Redirect(w, r, out.Redirect, http.StatusSeeOther)
		return
	case nav:
		s.loaded(v, start, len(out.HTML), nil)
		transport.WriteMessage(w, http.StatusOK, wire.AppendPage(nil, out.Page.Token))
		return
	}
	body := injectScript([]byte(out.HTML), scriptTag(out.Page.Token))
	s.loaded(v, start, len(body), nil)
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// flashCookie carries the id of flash messages parked for the next page
// load (a Mount redirected with a flash message); it names nothing but
// that id.
const flashCookie = "lvt-flash"

// setFlashCookie sets the flash cookie to id for a minute, or clears it;
// it is Secure when the client used HTTPS, to this server or to a trusted
// proxy.
func (s *Server) setFlashCookie(w http.ResponseWriter, r *http.Request, id string) {
	c := &http.Cookie{Name: flashCookie, Value: id, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.o.Proxies.HTTPS(r)}
	if id == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// refused turns the error that refused a page (a load, a join, a first
// POST) into what the client is told, logging what it is not told: a user
// error of a Mount becomes Refused.
func (s *Server) refused(err error, msg string) *fault.Error {
	fe := fault.As(err)
	switch fe.Kind {
	case fault.Failed, fault.Invalid:
		fe = &fault.Error{Kind: fault.Refused, Message: fe.Message, Cause: fe.Cause}
	case fault.Internal:
		s.log.Error(msg, "err", err)
	}
	return fe
}

// scriptTag is the client's script tag for a page with the given token.
func scriptTag(token string) []byte {
	return []byte(`<script src="?` + ClientQuery + `=` + client.Hash() + `" data-lvt-token="` +
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
