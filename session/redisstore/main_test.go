package redisstore_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/internal/testutil"
)

func TestMain(m *testing.M) {
	skipExamplesWithoutRedis()
	goleak.VerifyTestMain(m)
}

// skipExamplesWithoutRedis skips the Examples, which start a redis-server,
// where there is none, as testutil.StartRedis skips tests: unless CI is
// "true", when they fail instead.
func skipExamplesWithoutRedis() {
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

// exampleRedis starts a redis-server of its own for an Example (with
// testutil.StartRedis, which needs a testing.TB that an Example lacks),
// and returns its address and the func that stops it.
func exampleRedis() (addr string, stop func()) {
	tb := &exampleTB{}
	return testutil.StartRedis(tb).Addr(), tb.cleanup
}

// exampleTB is the testing.TB of an Example: it keeps the cleanups for
// cleanup to run, and panics on a failure, which fails the Example. Only
// the methods below may be called: the embedded TB is nil.
type exampleTB struct {
	testing.TB
	cleanups []func()
}

func (e *exampleTB) Helper()          {}
func (e *exampleTB) Cleanup(f func()) { e.cleanups = append(e.cleanups, f) }

func (e *exampleTB) TempDir() string {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	e.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func (e *exampleTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (e *exampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (e *exampleTB) Skip(args ...any)                  { panic(fmt.Sprint(args...)) }

// cleanup runs the cleanups, last first.
func (e *exampleTB) cleanup() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	e.cleanups = nil
}
