// Package livetemplate serves real-time, server-rendered web pages from
// ordinary html/templates and Go structs holding state.
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
//	app, err := livetemplate.NewApp()
//	tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(src)))
//	http.Handle("/", app.Handle(tmpl, &Counter{}))
//
// An App holds what the pages of an application share: who the visitor is
// (WithAuthenticator), where state is kept (WithSessionStore), the other
// instances (WithBus), limits, the logger, and every live page. Each page's
// URL serves everything: GET renders the page (the client script is
// injected before </body>), a WebSocket upgrade of the same URL opens the
// live connection, and POST carries actions over plain HTTP when WebSockets
// are unavailable. After each action only a JSON patch of what changed
// travels (docs/protocol.md). A link with lvt-navigate to another page of
// the app swaps the page over the same connection; an action may Redirect
// there and leave a Flash message. When a page is mounted its templates are
// checked against its stores' Go types.
//
// # Who shares a state
//
// An [auth.Authenticator] names each request's user and session group (by
// default [auth.Anonymous]: one group per browser, through a cookie). A
// store's state is shared, on every page of the app that shows it, by:
//
//   - the session group (the default): the tabs of one browser;
//   - [PerConnection]: one page (a draft, a selected tab);
//   - [PerUser]: every tab and device of one user;
//   - [Scoped]: every page whose key, derived from the request and the
//     viewer, is the same (a chat room, a document); [Global]: every page.
//
// Each shared state is stored under its own key in the session store; its
// changes happen one at a time, with compare-and-set, while different states
// change in parallel; every page that shows it, on every instance, sees each
// change. A store's state is the JSON encoding of its exported fields, and
// Change runs on a copy that replaces the state only when it succeeds.
//
// # Server push and several instances
//
// [App.Broadcast] and [Handler.Broadcast] apply a server action to the
// pages a [Target] names ([All], [Users], [Groups], [Filter]), exactly once
// per state; Refresh re-renders them; Disconnect signs them out. Instances
// that share a session store (session/redisstore) and a bus ([WithBus],
// broadcast/redisbus) serve the same states: a change made on one reaches
// the pages on the others; package cluster wires them from a Redis URL.
//
// # Safety
//
// WebSocket upgrades are same-origin unless [WithAllowedOrigins] widens them;
// HTTP actions are refused cross-site (http.CrossOriginProtection). Messages,
// actions per second and connections per group are limited ([WithLimits]).
// Every action gets exactly one reply: a failing or panicking Change is
// rolled back, logged, and answered with an error the page can show.
//
// # Where the engine is
//
// This package is the vocabulary; the engine lives in internal packages,
// each owning one thing. docs/architecture.md maps them for maintainers:
// the imports, where a page load, a WebSocket, an action, a push and a
// navigation go, and the order of the locks.
package livetemplate
