// Package rooms tests a store scoped to a room (livetemplate.Scoped) in headless Chromium.
package rooms
