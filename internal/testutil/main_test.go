package testutil_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.SkipExamplesWithoutRedis()
	goleak.VerifyTestMain(m)
}
