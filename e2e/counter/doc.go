// Package counter tests examples/counter in headless Chromium.
package counter
