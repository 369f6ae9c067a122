// Package dashboard tests examples/dashboard in headless Chromium.
package dashboard
