// Package groups holds the code of docs/session-groups.md (who shares which state), run as tests.
package groups
