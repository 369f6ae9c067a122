// Package knownbugs holds failing tests of engine bugs found while writing
// the guides. They are skipped unless LVT_KNOWN_BUGS=1, so that the guides'
// tests stay green; run them with
//
//	LVT_KNOWN_BUGS=1 go test ./docs/guides/knownbugs/
//
// and delete each test (and this package, once empty) when its bug is fixed.
package knownbugs
