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
// a store's state is its exported, JSON-encodable fields. [Named] gives a
// store the name pages use in "store.action" names.
//
// # Scopes
//
// Who shares a store's state is a property of the store, given where the
// store is passed to Handle:
//
//   - the session group (the default): the tabs of one browser;
//   - [PerConnection]: one tab (a draft, a selected tab);
//   - [PerUser]: every tab and device of one user;
//   - [Scoped]: every page whose key, derived from the request and the
//     viewer, is the same (a chat room, a document); [Global]: every page.
//
// Each shared state (a group's, a user's, a key's) is stored under its own
// key in the session store, with its own expiry; its actions run one at a
// time, with compare-and-set, while different states change in parallel;
// every page that shows it, on every instance, sees each change. The
// connection limits count a session group's pages. A page with several
// stores also sees who views it as .viewer ([Viewer]); a [Watcher] store
// learns when pages connect and disconnect (who is online).
//
// # Server push and several instances
//
// [Handler.Broadcast] applies a server action to the pages a [Target]
// names ([All], [Users], [Groups], [Filter]), exactly once per state;
// [Handler.Refresh] re-renders them. Instances that share a session store
// (session/redisstore) and a bus ([WithBus], broadcast/redisbus) serve the
// same groups: a change made on one reaches the pages on the others.
//
// # Safety
//
// WebSocket upgrades are same-origin unless [WithAllowedOrigins] widens them;
// HTTP actions are refused cross-site (http.CrossOriginProtection). Messages,
// actions per second and connections per group are limited ([WithLimits]).
// Every action gets exactly one reply: a failing or panicking Change is
// rolled back, logged, and answered with an error the page can show.
package livetemplate
