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
// the pages on the others.
//
// # Safety
//
// WebSocket upgrades are same-origin unless [WithAllowedOrigins] widens them;
// HTTP actions are refused cross-site (http.CrossOriginProtection). Messages,
// actions per second and connections per group are limited ([WithLimits]).
// Every action gets exactly one reply: a failing or panicking Change is
// rolled back, logged, and answered with an error the page can show.
//
// # A maintainer's map
//
// This package is the vocabulary: App, Template, Handler, Store and the
// scope wrappers, ActionContext, options, errors, push targets and Serve.
// The engine lives in internal packages, each owning one thing; arrows are
// imports, and none points up:
//
//	livetemplate ─► internal/protocol ─► internal/runtime ─► internal/page ─► internal/state ─► internal/schema
//	                      │                    ├─► internal/relay (broadcast.Bus)
//	                      │                    └─► internal/lease, internal/limit, internal/fault, internal/wire, diff
//	                      └─► transport (WebSocket, HTTP), internal/fault
//	livetemplate ─► internal/check (templates against stores), internal/form (action data),
//	                internal/source (parsing a template), internal/serve (Serve's drain and shutdown)
//
// Where to look:
//
//   - A page load: Handler.ServeHTTP → protocol.Server.Serve → servePage
//     (internal/protocol/load.go) → runtime.Load (internal/runtime/live.go):
//     a page.Page made, its states acquired from the state.Table, a render
//     (View.Render, internal/runtime/render.go), the page kept in the
//     page.Table waiting for its connection.
//   - A WebSocket: protocol's socket (socket.go) is the transport.Session;
//     join → visitor.open (session.go) → runtime.Attach: the page goes live
//     in the page.Table, whose one lock owns every index of live pages (by
//     token, group, user, state, view; connection counts per address).
//   - An action, on either transport: visitor.act (session.go) →
//     runtime.Act (internal/runtime/act.go) → state.State.Change
//     (internal/state/change.go): the store's Change on a copy (user code,
//     through hooks.go), a render of the acting page, compare-and-set in the
//     session store, publish; then every page of that state is marked
//     changed, and the relay tells the other instances. The reply is made by
//     the page (internal/page/output.go): the patch from what its client
//     holds to its newest render. Errors become replies in one table,
//     internal/fault.
//   - A push: App/Handler.Broadcast → runtime.Broadcast
//     (internal/runtime/push.go) → the same State.Change per targeted state;
//     internal/relay carries it to the other instances.
//   - Operations: every event of the engine goes to the telemetry.Sink of
//     WithTelemetry (runtime.Options.Telemetry; the state table times the
//     session store's calls, the relay the bus's); refusals are counted and
//     logged once a minute per kind and address by internal/protocol
//     (ops.go), which also answers App.Health and drains: readiness first,
//     then transport.WebSocket.Drain closes sockets in batches with 1012.
//   - A navigation: the GET with Lvt-Navigate → runtime.Load; then the
//     navigate message → visitor.navigate: runtime.Detach of the old page,
//     runtime.Attach of the new one, on the same connection.
//
// Locks: a state's lock orders its changes (and is held across its Change
// and its store's Put); a page's mu guards what its client holds and is
// never held across user code or I/O; a page's turn orders its own actions;
// the page table's lock guards its indexes. Order: state, then table, then
// page.
package livetemplate
