// Package apps tests an application of several pages on one App in
// headless Chromium: pages that share a store, live navigation over one
// connection (and over the HTTP fallback), back and forward, redirects and
// flash messages.
package apps
