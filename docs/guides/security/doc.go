// Package security holds the code of docs/security.md (origins, cookies, CSRF, limits), run as tests.
package security
