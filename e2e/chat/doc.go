// Package chat tests examples/chat in headless Chromium.
package chat
