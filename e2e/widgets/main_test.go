package widgets_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
)

// TestMain checks for leaked goroutines; the browser tests share one
// Chromium process.
func TestMain(m *testing.M) { goleak.VerifyTestMain(browsertest.Shared(m)) }
