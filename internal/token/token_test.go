package token_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/token"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	ann   = auth.Identity{UserID: "ann", GroupID: "g1"}
	now   = time.Unix(1_800_000_000, 0)
	key1  = []byte("0123456789abcdef0123456789abcdef")
	key2  = []byte("fedcba9876543210fedcba9876543210")
	other = []byte("another app's key, of 32 bytes!!")
)

func TestTokensAreBoundToViewAndViewer(t *testing.T) {
	s, err := token.New(key1)
	require.NoError(t, err)
	tok := s.Make("orders", ann, now)
	assert.GreaterOrEqual(t, len(tok), 40)
	assert.True(t, s.Check(tok, "orders", ann, now.Add(time.Hour)))
	assert.NotEqual(t, tok, s.Make("orders", ann, now), "random")

	for name, ok := range map[string]bool{
		"another view":        s.Check(tok, "cart", ann, now),
		"another user":        s.Check(tok, "orders", auth.Identity{UserID: "bob", GroupID: "g1"}, now),
		"another group":       s.Check(tok, "orders", auth.Identity{UserID: "ann", GroupID: "g2"}, now),
		"too old":             s.Check(tok, "orders", ann, now.Add(token.MaxAge+time.Minute)),
		"from the future":     s.Check(s.Make("orders", ann, now.Add(time.Hour)), "orders", ann, now),
		"garbage":             s.Check("not a token", "orders", ann, now),
		"truncated":           s.Check(tok[:len(tok)-2], "orders", ann, now),
		"one character moved": s.Check(tok[:5]+string(tok[5]^1)+tok[6:], "orders", ann, now),
	} {
		assert.False(t, ok, name)
	}
	// Fields that run into each other do not make the same signature.
	assert.False(t, s.Check(s.Make("ab", auth.Identity{UserID: "c"}, now), "a", auth.Identity{UserID: "bc"}, now))
}

func TestKeysRotate(t *testing.T) {
	old, err := token.New(key1)
	require.NoError(t, err)
	rotated, err := token.New(key2, key1)
	require.NoError(t, err)
	stranger, err := token.New(other)
	require.NoError(t, err)
	tok := old.Make("v", ann, now)
	assert.True(t, rotated.Check(tok, "v", ann, now), "a previous key still checks")
	assert.True(t, rotated.Check(rotated.Make("v", ann, now), "v", ann, now))
	assert.False(t, old.Check(rotated.Make("v", ann, now), "v", ann, now), "new tokens are signed with the new key")
	assert.False(t, stranger.Check(tok, "v", ann, now))
	_, err = token.New()
	assert.ErrorIs(t, err, token.ErrNoKey)
}

func ExampleSigner() {
	s, _ := token.New([]byte("a secret of at least 32 bytes...")) // shared by every instance
	id := auth.Identity{UserID: "ann", GroupID: "ann"}
	tok := s.Make("orders", id, time.Now())
	fmt.Println(s.Check(tok, "orders", id, time.Now()), s.Check(tok, "cart", id, time.Now()))
	// Output: true false
}
