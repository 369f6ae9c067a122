package auth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
)

func TestAuthenticatorFunc(t *testing.T) {
	t.Parallel()

	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		fn      auth.AuthenticatorFunc
		want    auth.Identity
		wantErr error
	}{
		{
			name: "identity passes through",
			fn: func(http.ResponseWriter, *http.Request) (auth.Identity, error) {
				return auth.Identity{UserID: "u1", GroupID: "g1"}, nil
			},
			want: auth.Identity{UserID: "u1", GroupID: "g1"},
		},
		{
			name: "error passes through",
			fn: func(http.ResponseWriter, *http.Request) (auth.Identity, error) {
				return auth.Identity{}, errBoom
			},
			wantErr: errBoom,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			var a auth.Authenticator = tc.fn
			got, err := a.Identify(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestAuthenticatorFuncReceivesArguments(t *testing.T) {
	t.Parallel()

	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/page", nil)
	fn := auth.AuthenticatorFunc(func(gotW http.ResponseWriter, gotR *http.Request) (auth.Identity, error) {
		assert.Same(t, w, gotW)
		assert.Same(t, r, gotR)
		return auth.Identity{}, nil
	})
	_, err := fn.Identify(w, r)
	require.NoError(t, err)
}
