package uploadtest_test

import (
	"testing"

	"github.com/lvtgo/livetemplate/upload"
	"github.com/lvtgo/livetemplate/upload/localdir"
	"github.com/lvtgo/livetemplate/upload/uploadtest"
)

// A storage adapter's test runs the suite on a fresh storage per check.
func ExampleRun() {
	_ = func(t *testing.T) {
		uploadtest.Run(t, func(t *testing.T) upload.Storage {
			d, err := localdir.New(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			return d
		})
	}
}
