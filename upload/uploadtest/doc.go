// Package uploadtest is the conformance suite every upload.Storage must
// pass: [Run] checks commit, abort, delete, reading back (for an
// upload.Opener) and concurrent files.
package uploadtest
