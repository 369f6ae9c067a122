// Package login tests examples/login in headless Chromium: the sign-in
// leads back to the page asked for, and never to another site, whatever
// its next parameter says.
package login
