package testutil

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// ExampleRedis starts a redis-server for an Example, which has no
// testing.TB to give StartRedis, and returns it and the func that stops
// it. A failure to start panics, which fails the Example.
func ExampleRedis() (r *Redis, stop func()) {
	tb := &ExampleTB{}
	return StartRedis(tb), tb.Done
}

// SkipExamplesWithoutRedis skips the package's Examples, which start a
// redis-server, where there is none, as StartRedis skips tests: unless CI
// is "true", when they fail instead. Call it first in TestMain.
func SkipExamplesWithoutRedis() {
	if _, err := exec.LookPath("redis-server"); err == nil || os.Getenv("CI") == "true" {
		return
	}
	flag.Parse()
	skip := "^Example"
	if s := flag.Lookup("test.skip").Value.String(); s != "" {
		skip = s + "|" + skip
	}
	if err := flag.Set("test.skip", skip); err != nil {
		panic(err)
	}
	fmt.Fprintln(os.Stderr, "redis-server not found in PATH: the Examples are skipped; run scripts/test.sh, which installs it")
}

// ExampleTB is the testing.TB of an Example: it keeps the functions given
// to its Cleanup until Done runs them, last first, and panics
// on a failure, which fails the Example. Only the methods below may be
// called: the embedded TB is nil. It is not safe for concurrent use.
type ExampleTB struct {
	testing.TB
	cleanups []func()
}

// Helper does nothing.
func (e *ExampleTB) Helper() {}

// TempDir returns a new temporary directory, removed by Cleanup.
func (e *ExampleTB) TempDir() string {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	e.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// Fatal panics.
func (e *ExampleTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

// Fatalf panics.
func (e *ExampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// Skip panics: an Example cannot be skipped once it runs.
func (e *ExampleTB) Skip(args ...any) { panic(fmt.Sprint(args...)) }

// Cleanup keeps f for Done to run.
func (e *ExampleTB) Cleanup(f func()) { e.cleanups = append(e.cleanups, f) }

// Done runs the functions given to Cleanup, last first.
func (e *ExampleTB) Done() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	e.cleanups = nil
}
