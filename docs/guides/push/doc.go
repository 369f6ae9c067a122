// Package push holds the code of docs/push.md (server push and broadcasting), run as tests.
package push
