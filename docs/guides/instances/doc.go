// Package instances holds the code of docs/instances.md (several instances on one Redis), run as tests.
package instances
