package sessiontest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/lvtgo/livetemplate/session"
)

// An adapter's tests hand Run a constructor for fresh, empty stores, from
// a TestXxx function (Run needs its *testing.T; TestRunMemory in this
// package is one):
//
//	func TestConformance(t *testing.T) {
//		sessiontest.Run(t, func(t *testing.T) session.Store {
//			s := session.NewMemory(nil) // or the adapter under test
//			t.Cleanup(func() { _ = s.Close() })
//			return s
//		})
//	}
//
// Here are five of Run's checks, each named as its subtest, made by hand on
// the memory store, which passes them all.
func Example() {
	ctx := context.Background()
	s := session.NewMemory(nil)
	defer s.Close()

	_, _, err := s.Get(ctx, "g1")
	fmt.Println("GetMissing:", errors.Is(err, session.ErrNotFound))
	v1, err := s.Put(ctx, "g1", []byte(`{"n":1}`), 0)
	fmt.Println("PutCreates:", err == nil && v1 > 0)
	_, err = s.Put(ctx, "g1", []byte(`{"n":1}`), 0)
	fmt.Println("CreateConflictsWhenPresent:", errors.Is(err, session.ErrConflict))
	v2, err := s.Put(ctx, "g1", []byte(`{"n":2}`), v1)
	fmt.Println("VersionsIncrease:", err == nil && v2 > v1)
	_, err = s.Put(ctx, "g1", []byte(`{"n":3}`), v1)
	fmt.Println("StaleVersionConflicts:", errors.Is(err, session.ErrConflict))
	// Output:
	// GetMissing: true
	// PutCreates: true
	// CreateConflictsWhenPresent: true
	// VersionsIncrease: true
	// StaleVersionConflicts: true
}
