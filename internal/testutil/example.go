package testutil

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// SkipExamplesWithoutRedis makes the package's Examples, which start a
// redis-server, skip where there is none, as StartRedis skips tests: unless
// CI is "true", when they fail instead. Call it from TestMain, before
// m.Run.
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

// ExampleRedis starts a redis-server of its own for an Example (with
// StartRedis, which needs a testing.TB that an Example lacks), and returns
// it and the func that stops it.
func ExampleRedis() (r *Redis, stop func()) {
	tb := &ExampleTB{}
	return StartRedis(tb), tb.Stop
}

// ExampleTB is the testing.TB of an Example: it keeps the cleanups for Stop
// to run, and panics on a failure, which fails the Example. Only the
// methods below may be called: the embedded TB is nil.
type ExampleTB struct {
	testing.TB
	cleanups []func()
}

// Helper does nothing.
func (e *ExampleTB) Helper() {}

// Cleanup registers f for Stop.
func (e *ExampleTB) Cleanup(f func()) { e.cleanups = append(e.cleanups, f) }

// TempDir returns a new directory that Stop removes.
func (e *ExampleTB) TempDir() string {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	e.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// Fatal panics with args.
func (e *ExampleTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

// Fatalf panics with the formatted message.
func (e *ExampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// Skip panics with args: an Example cannot be skipped from within.
func (e *ExampleTB) Skip(args ...any) { panic(fmt.Sprint(args...)) }

// Stop runs the cleanups, last first.
func (e *ExampleTB) Stop() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	e.cleanups = nil
}
