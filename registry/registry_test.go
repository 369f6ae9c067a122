package registry_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/registry"
)

func TestRegistryIndexes(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		build      func(r *registry.Registry[string])
		wantAll    []string
		wantGroups map[string][]string
		wantUsers  map[string][]string
	}{
		{
			name:  "empty",
			build: func(*registry.Registry[string]) {},
		},
		{
			name:       "one connection",
			build:      func(r *registry.Registry[string]) { r.Add("c1", "g1", "u1") },
			wantAll:    []string{"c1"},
			wantGroups: map[string][]string{"g1": {"c1"}},
			wantUsers:  map[string][]string{"u1": {"c1"}},
		},
		{
			name: "tabs of one browser share group and user",
			build: func(r *registry.Registry[string]) {
				r.Add("c1", "g1", "u1")
				r.Add("c2", "g1", "u1")
			},
			wantAll:    []string{"c1", "c2"},
			wantGroups: map[string][]string{"g1": {"c1", "c2"}},
			wantUsers:  map[string][]string{"u1": {"c1", "c2"}},
		},
		{
			name: "users share a group",
			build: func(r *registry.Registry[string]) {
				r.Add("c1", "team", "alice")
				r.Add("c2", "team", "bob")
			},
			wantAll:    []string{"c1", "c2"},
			wantGroups: map[string][]string{"team": {"c1", "c2"}},
			wantUsers:  map[string][]string{"alice": {"c1"}, "bob": {"c2"}},
		},
		{
			name: "one user in two groups",
			build: func(r *registry.Registry[string]) {
				r.Add("c1", "g1", "alice")
				r.Add("c2", "g2", "alice")
			},
			wantAll:    []string{"c1", "c2"},
			wantGroups: map[string][]string{"g1": {"c1"}, "g2": {"c2"}},
			wantUsers:  map[string][]string{"alice": {"c1", "c2"}},
		},
		{
			name: "re-add moves group and user but keeps order",
			build: func(r *registry.Registry[string]) {
				r.Add("c1", "g1", "u1")
				r.Add("c2", "g2", "u2")
				r.Add("c1", "g2", "u2")
			},
			wantAll:    []string{"c1", "c2"},
			wantGroups: map[string][]string{"g2": {"c1", "c2"}},
			wantUsers:  map[string][]string{"u2": {"c1", "c2"}},
		},
		{
			name: "re-add with same ids changes nothing",
			build: func(r *registry.Registry[string]) {
				r.Add("c1", "g1", "u1")
				r.Add("c1", "g1", "u1")
			},
			wantAll:    []string{"c1"},
			wantGroups: map[string][]string{"g1": {"c1"}},
			wantUsers:  map[string][]string{"u1": {"c1"}},
		},
		{
			name: "remove drops emptied group and user",
			build: func(r *registry.Registry[string]) {
				r.Add("c1", "g1", "u1")
				r.Add("c2", "g2", "u2")
				r.Remove("c1")
			},
			wantAll:    []string{"c2"},
			wantGroups: map[string][]string{"g2": {"c2"}},
			wantUsers:  map[string][]string{"u2": {"c2"}},
		},
		{
			name: "removed then added again goes last",
			build: func(r *registry.Registry[string]) {
				r.Add("c1", "g1", "u1")
				r.Add("c2", "g1", "u1")
				r.Remove("c1")
				r.Add("c1", "g1", "u1")
			},
			wantAll:    []string{"c2", "c1"},
			wantGroups: map[string][]string{"g1": {"c2", "c1"}},
			wantUsers:  map[string][]string{"u1": {"c2", "c1"}},
		},
		{
			name:       "empty ids are ids",
			build:      func(r *registry.Registry[string]) { r.Add("c1", "", "") },
			wantAll:    []string{"c1"},
			wantGroups: map[string][]string{"": {"c1"}},
			wantUsers:  map[string][]string{"": {"c1"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			r := registry.New[string]()
			tc.build(r)
			assertIndexes(t, r, tc.wantAll, tc.wantGroups, tc.wantUsers)
		})
	}
}

func TestRegistryRemove(t *testing.T) {
	t.Parallel()

	r := registry.New[string]()
	r.Add("c1", "g1", "u1")

	tests := []struct {
		name string
		conn string
		want bool
	}{
		{name: "unknown", conn: "c9", want: false},
		{name: "registered", conn: "c1", want: true},
		{name: "already removed", conn: "c1", want: false},
	}
	for _, tc := range tests { // sequential: each step sees the previous one
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, r.Remove(tc.conn))
		})
	}
	assert.Zero(t, r.Len())
}

func TestRegistrySnapshotsAreCopies(t *testing.T) {
	t.Parallel()

	r := registry.New[string]()
	r.Add("c1", "g1", "u1")
	r.Add("c2", "g1", "u1")

	snapshots := map[string][]string{
		"group":  r.Group("g1"),
		"user":   r.User("u1"),
		"all":    r.All(),
		"groups": r.Groups(),
	}
	for _, s := range snapshots {
		s[0] = "mutated"
	}
	r.Add("c3", "g1", "u1")
	r.Remove("c2")

	assert.Equal(t, []string{"mutated", "c2"}, snapshots["group"], "later changes do not reach a snapshot")
	assertIndexes(t, r,
		[]string{"c1", "c3"},
		map[string][]string{"g1": {"c1", "c3"}},
		map[string][]string{"u1": {"c1", "c3"}},
	)
}

func TestRegistryPointerConnections(t *testing.T) {
	t.Parallel()

	type conn struct{ name string }
	a, b := &conn{name: "same"}, &conn{name: "same"}

	r := registry.New[*conn]()
	r.Add(a, "g1", "u1")
	r.Add(b, "g1", "u1")

	got := r.Group("g1")
	require.Len(t, got, 2, "equal contents, distinct connections")
	assert.Same(t, a, got[0])
	assert.Same(t, b, got[1])
}

func TestRegistryConcurrentUse(t *testing.T) {
	t.Parallel()

	const (
		workers = 8
		perWork = 50
	)
	r := registry.New[string]()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			group := fmt.Sprintf("g%d", w%2)
			for i := range perWork {
				c := fmt.Sprintf("w%d-c%d", w, i)
				r.Add(c, group, fmt.Sprintf("u%d", w))
				_ = r.Group(group)
				_ = r.User(fmt.Sprintf("u%d", w))
				_ = r.All()
				_ = r.Groups()
				_ = r.GroupLen(group)
				if i%2 == 1 {
					assert.True(t, r.Remove(c))
				}
			}
		})
	}
	wg.Wait()

	assert.Equal(t, workers*perWork/2, r.Len())
	assert.Equal(t, []string{"g0", "g1"}, r.Groups())
	assert.Equal(t, r.Len(), r.GroupLen("g0")+r.GroupLen("g1"))
	for w := range workers {
		assert.Equal(t, perWork/2, r.UserLen(fmt.Sprintf("u%d", w)))
	}
}

// assertIndexes checks every query of r against the expected connections.
// Groups and users absent from the maps must be empty.
func assertIndexes(tb testing.TB, r *registry.Registry[string], all []string, groups, users map[string][]string) {
	tb.Helper()
	assert.Equal(tb, all, r.All(), "All")
	assert.Equal(tb, len(all), r.Len(), "Len")

	var groupIDs []string
	for g, want := range groups {
		groupIDs = append(groupIDs, g)
		assert.Equal(tb, want, r.Group(g), "Group(%q)", g)
		assert.Equal(tb, len(want), r.GroupLen(g), "GroupLen(%q)", g)
	}
	for u, want := range users {
		assert.Equal(tb, want, r.User(u), "User(%q)", u)
		assert.Equal(tb, len(want), r.UserLen(u), "UserLen(%q)", u)
	}
	assert.ElementsMatch(tb, groupIDs, r.Groups(), "Groups")
	assert.IsNonDecreasing(tb, r.Groups(), "Groups is sorted")

	assert.Nil(tb, r.Group("ghost"))
	assert.Nil(tb, r.User("ghost"))
	assert.Zero(tb, r.GroupLen("ghost"))
	assert.Zero(tb, r.UserLen("ghost"))
}
