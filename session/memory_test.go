package session_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/session/sessiontest"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		opts *session.MemoryOptions
	}{
		{name: "defaults"},
		{name: "never expires", opts: &session.MemoryOptions{TTL: -1}},
		{name: "no sweeper", opts: &session.MemoryOptions{CleanupInterval: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			sessiontest.Run(t, func(t *testing.T) session.Store {
				return newMemory(t, tc.opts)
			})
		})
	}
}

func TestMemoryExpiry(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		opts      *session.MemoryOptions
		idle      time.Duration
		wantFound bool
	}{
		{name: "default ttl not yet reached", idle: 24*time.Hour - time.Nanosecond, wantFound: true},
		{name: "default ttl reached", idle: 24 * time.Hour},
		{name: "custom ttl not yet reached", opts: &session.MemoryOptions{TTL: 10 * time.Minute}, idle: 9 * time.Minute, wantFound: true},
		{name: "custom ttl reached", opts: &session.MemoryOptions{TTL: 10 * time.Minute}, idle: 10 * time.Minute},
		{name: "expired before the sweep runs", opts: &session.MemoryOptions{TTL: time.Minute, CleanupInterval: time.Hour}, idle: 2 * time.Minute},
		{name: "expired without a sweeper", opts: &session.MemoryOptions{TTL: time.Minute, CleanupInterval: -1}, idle: 2 * time.Minute},
		{name: "expired after the sweep ran", opts: &session.MemoryOptions{TTL: time.Minute, CleanupInterval: time.Second}, idle: 2 * time.Minute},
		{name: "negative ttl never expires", opts: &session.MemoryOptions{TTL: -1}, idle: 10 * 365 * 24 * time.Hour, wantFound: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			synctest.Test(t, func(t *testing.T) {
				m := newMemory(t, tc.opts)
				v := put(t, m, "g1", "state", 0)
				time.Sleep(tc.idle)

				state, version, err := m.Get(t.Context(), "g1")
				if !tc.wantFound {
					require.ErrorIs(t, err, session.ErrNotFound)
					groups, err := m.Groups(t.Context())
					require.NoError(t, err)
					assert.Empty(t, groups)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, "state", string(state))
				assert.Equal(t, v, version)
			})
		})
	}
}

func TestMemoryAccessRefreshesTTL(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		touch func(t *testing.T, m *session.Memory, version uint64) uint64
	}{
		{
			name: "get",
			touch: func(t *testing.T, m *session.Memory, version uint64) uint64 {
				_, v, err := m.Get(t.Context(), "g1")
				require.NoError(t, err)
				return v
			},
		},
		{
			name: "put",
			touch: func(t *testing.T, m *session.Memory, version uint64) uint64 {
				return put(t, m, "g1", "state", version)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			synctest.Test(t, func(t *testing.T) {
				m := newMemory(t, &session.MemoryOptions{TTL: 10 * time.Minute})
				v := put(t, m, "g1", "state", 0)
				for range 5 {
					time.Sleep(6 * time.Minute)
					v = tc.touch(t, m, v)
				}
				_, _, err := m.Get(t.Context(), "g1")
				require.NoError(t, err, "30 minutes in, yet never idle for 10")
			})
		})
	}
}

func TestMemoryGroupsDoesNotRefreshTTL(t *testing.T) {
	t.Parallel()

	synctest.Test(t, func(t *testing.T) {
		m := newMemory(t, &session.MemoryOptions{TTL: 10 * time.Minute})
		put(t, m, "g1", "state", 0)

		time.Sleep(6 * time.Minute)
		groups, err := m.Groups(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []string{"g1"}, groups)

		time.Sleep(6 * time.Minute)
		groups, err = m.Groups(t.Context())
		require.NoError(t, err)
		assert.Empty(t, groups)
	})
}

func TestMemoryPutAfterExpiry(t *testing.T) {
	t.Parallel()

	synctest.Test(t, func(t *testing.T) {
		m := newMemory(t, &session.MemoryOptions{TTL: time.Minute})
		old := put(t, m, "g1", "old", 0)
		time.Sleep(time.Minute)

		_, err := m.Put(t.Context(), "g1", []byte("stale"), old)
		require.ErrorIs(t, err, session.ErrConflict, "an expired group has no version to match")

		v := put(t, m, "g1", "new", 0)
		assert.Greater(t, v, old)
	})
}

func TestMemoryCloseStopsSweeper(t *testing.T) {
	t.Parallel()

	// synctest.Test fails if a goroutine started in the bubble outlives it,
	// so returning proves Close stopped and awaited the sweeper.
	synctest.Test(t, func(t *testing.T) {
		m := session.NewMemory(&session.MemoryOptions{TTL: time.Minute, CleanupInterval: time.Second})
		put(t, m, "g1", "state", 0)
		time.Sleep(time.Hour)
		require.NoError(t, m.Close())
	})
}

func TestMemoryClose(t *testing.T) {
	t.Parallel()

	m := session.NewMemory(nil)
	put(t, m, "g1", "state", 0)

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { assert.NoError(t, m.Close()) })
	}
	wg.Wait()
	require.NoError(t, m.Close(), "Close is idempotent")

	ctx := t.Context()
	tests := []struct {
		name    string
		call    func() error
		wantMsg string
	}{
		{name: "get", call: func() error { _, _, err := m.Get(ctx, "g1"); return err }, wantMsg: "session: get: closed"},
		{name: "put", call: func() error { _, err := m.Put(ctx, "g1", nil, 0); return err }, wantMsg: "session: put: closed"},
		{name: "delete", call: func() error { return m.Delete(ctx, "g1") }, wantMsg: "session: delete: closed"},
		{name: "groups", call: func() error { _, err := m.Groups(ctx); return err }, wantMsg: "session: groups: closed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, session.ErrClosed)
			assert.EqualError(t, err, tc.wantMsg)
		})
	}
}

func TestMemoryErrorMessages(t *testing.T) {
	t.Parallel()

	m := newMemory(t, nil)
	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name    string
		call    func() error
		wantIs  error
		wantMsg string
	}{
		{
			name:    "not found",
			call:    func() error { _, _, err := m.Get(t.Context(), "g1"); return err },
			wantIs:  session.ErrNotFound,
			wantMsg: "session: get: not found",
		},
		{
			name:    "conflict",
			call:    func() error { _, err := m.Put(t.Context(), "g1", nil, 3); return err },
			wantIs:  session.ErrConflict,
			wantMsg: "session: put: version conflict",
		},
		{
			name:    "canceled",
			call:    func() error { _, err := m.Groups(canceled); return err },
			wantIs:  context.Canceled,
			wantMsg: "session: groups: context canceled",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			err := tc.call()
			require.ErrorIs(t, err, tc.wantIs)
			assert.EqualError(t, err, tc.wantMsg)
		})
	}
}

// newMemory returns a Memory store that is closed when tb finishes.
func newMemory(tb testing.TB, opts *session.MemoryOptions) *session.Memory {
	tb.Helper()
	m := session.NewMemory(opts)
	tb.Cleanup(func() { assert.NoError(tb, m.Close()) })
	return m
}

// put stores state for group at version and returns the new version.
func put(tb testing.TB, s session.Store, group, state string, version uint64) uint64 {
	tb.Helper()
	v, err := s.Put(tb.Context(), group, []byte(state), version)
	require.NoError(tb, err)
	return v
}
