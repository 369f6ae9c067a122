package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
)

func TestBasicIdentify(t *testing.T) {
	t.Parallel()

	users := map[string]string{"alice": "wonderland", "bob": "builder", "eve": ""}
	tests := []struct {
		name      string
		setAuth   func(r *http.Request)
		want      auth.Identity
		wantError string
	}{
		{
			name:    "ok",
			setAuth: func(r *http.Request) { r.SetBasicAuth("alice", "wonderland") },
			want:    auth.Identity{UserID: "alice", GroupID: "alice"},
		},
		{
			name:    "empty password configured",
			setAuth: func(r *http.Request) { r.SetBasicAuth("eve", "") },
			want:    auth.Identity{UserID: "eve", GroupID: "eve"},
		},
		{
			name:      "missing header",
			setAuth:   func(*http.Request) {},
			wantError: "auth: basic: missing credentials",
		},
		{
			name:      "other scheme",
			setAuth:   func(r *http.Request) { r.Header.Set("Authorization", "Bearer token") },
			wantError: "auth: basic: missing credentials",
		},
		{
			name:      "malformed base64",
			setAuth:   func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") },
			wantError: "auth: basic: missing credentials",
		},
		{
			name:      "wrong password",
			setAuth:   func(r *http.Request) { r.SetBasicAuth("alice", "builder") },
			wantError: "auth: basic: invalid credentials",
		},
		{
			name:      "wrong user",
			setAuth:   func(r *http.Request) { r.SetBasicAuth("mallory", "wonderland") },
			wantError: "auth: basic: invalid credentials",
		},
		{
			name:      "unknown user with empty password",
			setAuth:   func(r *http.Request) { r.SetBasicAuth("mallory", "") },
			wantError: "auth: basic: invalid credentials",
		},
		{
			name:      "user name case matters",
			setAuth:   func(r *http.Request) { r.SetBasicAuth("Alice", "wonderland") },
			wantError: "auth: basic: invalid credentials",
		},
		{
			name:      "password prefix",
			setAuth:   func(r *http.Request) { r.SetBasicAuth("alice", "wonder") },
			wantError: "auth: basic: invalid credentials",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			b := auth.NewBasic("admin area", users, nil)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			tc.setAuth(r)
			w := httptest.NewRecorder()
			got, err := b.Identify(w, r)

			if tc.wantError == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				assert.Empty(t, w.Header().Get("WWW-Authenticate"))
				return
			}
			require.ErrorIs(t, err, auth.ErrUnauthenticated)
			assert.EqualError(t, err, tc.wantError)
			assert.Equal(t, auth.Identity{}, got)
			assert.Equal(t, `Basic realm="admin area", charset="UTF-8"`, w.Header().Get("WWW-Authenticate"))
			assert.Equal(t, http.StatusOK, w.Code, "the caller writes the status")
		})
	}
}

func TestBasicErrorsHideCredentials(t *testing.T) {
	t.Parallel()

	b := auth.NewBasic("", map[string]string{"alice": "wonderland"}, nil)
	for _, creds := range [][2]string{{"alice", "guess"}, {"mallory", "wonderland"}} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth(creds[0], creds[1])
		_, err := b.Identify(httptest.NewRecorder(), r)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), creds[0])
		assert.NotContains(t, err.Error(), creds[1])
	}
}

func TestBasicRealm(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		realm string
		want  string
	}{
		{name: "default", realm: "", want: `Basic realm="livetemplate", charset="UTF-8"`},
		{name: "plain", realm: "ops", want: `Basic realm="ops", charset="UTF-8"`},
		{name: "escaped", realm: `a "quoted" \ realm`, want: `Basic realm="a \"quoted\" \\ realm", charset="UTF-8"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			w := httptest.NewRecorder()
			_, err := auth.NewBasic(tc.realm, nil, nil).Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
			require.ErrorIs(t, err, auth.ErrUnauthenticated)
			assert.Equal(t, tc.want, w.Header().Get("WWW-Authenticate"))
		})
	}
}

func TestBasicGroupOf(t *testing.T) {
	t.Parallel()

	users := map[string]string{"alice": "a", "bob": "b", "carol": "c"}
	teams := map[string]string{"alice": "team-1", "bob": "team-1"}
	b := auth.NewBasic("", users, &auth.BasicOptions{
		GroupOf: func(user string) string { return teams[user] },
	})

	tests := []struct {
		name string
		user string
		want auth.Identity
	}{
		{name: "mapped", user: "alice", want: auth.Identity{UserID: "alice", GroupID: "team-1"}},
		{name: "same group", user: "bob", want: auth.Identity{UserID: "bob", GroupID: "team-1"}},
		{name: "empty result falls back to user", user: "carol", want: auth.Identity{UserID: "carol", GroupID: "carol"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.SetBasicAuth(tc.user, users[tc.user])
			got, err := b.Identify(httptest.NewRecorder(), r)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestBasicCopiesUsers(t *testing.T) {
	t.Parallel()

	users := map[string]string{"alice": "wonderland"}
	b := auth.NewBasic("", users, nil)
	users["alice"] = "changed"
	users["mallory"] = "x"

	assert.NoError(t, basicIdentify(t, b, "alice", "wonderland"))
	assert.ErrorIs(t, basicIdentify(t, b, "alice", "changed"), auth.ErrUnauthenticated)
	assert.ErrorIs(t, basicIdentify(t, b, "mallory", "x"), auth.ErrUnauthenticated)
}

func TestBasicNilWriter(t *testing.T) {
	t.Parallel()

	b := auth.NewBasic("", map[string]string{"alice": "wonderland"}, nil)
	_, err := b.Identify(nil, httptest.NewRequest(http.MethodGet, "/", nil))
	require.ErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestBasicConcurrentUse(t *testing.T) {
	t.Parallel()

	b := auth.NewBasic("", map[string]string{"alice": "wonderland"}, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if i%2 == 0 {
				assert.NoError(t, basicIdentify(t, b, "alice", "wonderland"))
				return
			}
			assert.ErrorIs(t, basicIdentify(t, b, "alice", strings.Repeat("x", i)), auth.ErrUnauthenticated)
		})
	}
	wg.Wait()
}

// basicIdentify runs b on a request carrying user and password.
func basicIdentify(tb testing.TB, b *auth.Basic, user, password string) error {
	tb.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, password)
	_, err := b.Identify(httptest.NewRecorder(), r)
	return err
}
