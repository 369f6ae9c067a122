// Package authn holds the code of docs/authentication.md (anonymous, basic, JWT and custom authenticators), run as tests.
package authn
