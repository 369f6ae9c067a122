// Package persistence holds the code of docs/persistence.md (where state is kept, and Redis), run as tests.
package persistence
