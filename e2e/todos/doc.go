// Package todos tests examples/todos in headless Chromium.
package todos
