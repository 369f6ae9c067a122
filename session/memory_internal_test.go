package session

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The sweep is invisible through the Store API (expired groups are hidden
// anyway), so these tests look at the map itself.
func TestMemorySweepFreesExpiredGroups(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		opts      *MemoryOptions
		wait      time.Duration
		wantTotal int
	}{
		{name: "sweep frees expired", opts: &MemoryOptions{TTL: time.Minute, CleanupInterval: 30 * time.Second}, wait: 90 * time.Second, wantTotal: 1},
		{name: "sweep keeps live", opts: &MemoryOptions{TTL: time.Minute, CleanupInterval: 30 * time.Second}, wait: 30 * time.Second, wantTotal: 2},
		{name: "no sweeper keeps expired", opts: &MemoryOptions{TTL: time.Minute, CleanupInterval: -1}, wait: time.Hour, wantTotal: 2},
		{name: "before first sweep", opts: &MemoryOptions{TTL: time.Minute, CleanupInterval: time.Hour}, wait: 59 * time.Minute, wantTotal: 2},
		{name: "default interval", opts: &MemoryOptions{TTL: time.Minute}, wait: 2 * time.Minute, wantTotal: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			synctest.Test(t, func(t *testing.T) {
				m := NewMemory(tc.opts)
				t.Cleanup(func() { assert.NoError(t, m.Close()) })
				_, err := m.Put(t.Context(), "idle", []byte("x"), 0)
				require.NoError(t, err)

				// "busy" is rewritten just before the wait ends.
				time.Sleep(tc.wait - time.Nanosecond)
				_, err = m.Put(t.Context(), "busy", []byte("x"), 0)
				require.NoError(t, err)
				time.Sleep(time.Nanosecond)
				synctest.Wait()

				m.mu.Lock()
				defer m.mu.Unlock()
				assert.Len(t, m.groups, tc.wantTotal)
			})
		})
	}
}
