// Package livetemplate serves real-time, server-rendered web pages from an
// ordinary html/template and a Go struct holding state.
//
// # Overview
//
// A page is a template plus one or more stores. A store is a pointer to a
// struct with a Change method; every user action on the page calls it:
//
//	type Counter struct{ Count int }
//
//	func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
//		switch ctx.Action() {
//		case "increment":
//			c.Count++
//		default:
//			return livetemplate.ErrUnknownAction
//		}
//		return nil
//	}
//
//	tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(src)))
//	http.Handle("/", tmpl.Handle(&Counter{}))
//
// One URL serves everything: GET renders the full page (the client script is
// injected before </body>), a WebSocket upgrade of the same URL opens the live
// connection, and POST to the same URL carries actions over plain HTTP when
// WebSockets are unavailable. After each action only a JSON patch of what
// changed travels (docs/protocol.md).
//
// # Session groups
//
// An [auth.Authenticator] names each request's user and session group (by
// default [auth.Anonymous]: one group per browser, through a cookie). Every
// group gets its own copy of the stores given to Handle; all connections of a
// group (the tabs of one browser) share it and see every change; different
// groups never see each other's data. Actions of one group run one at a time;
// different groups run in parallel.
//
// Group state is copied and persisted as the JSON encoding of each store, so
// a store's state is its exported, JSON-encodable fields. Stores wrapped with
// [PerConnection] are private to one connection instead (a draft, a selected
// tab); [Named] gives a store the name pages use in "store.action" names.
//
// # Safety
//
// WebSocket upgrades are same-origin unless [WithAllowedOrigins] widens them;
// HTTP actions are refused cross-site (http.CrossOriginProtection). Messages,
// actions per second and connections per group are limited ([WithLimits]).
// Every action gets exactly one reply: a failing or panicking Change is
// rolled back, logged, and answered with an error the page can show.
package livetemplate
