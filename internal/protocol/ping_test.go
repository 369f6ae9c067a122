package protocol_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A ping is answered at once with a pong, before and after the join, on
// both transports: the client checks its connection with it.
func TestPingIsAnsweredWithAPong(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	token := s.load(t, "/", "ada")
	w := s.dial(t, "/", "ada", nil)
	w.send(`{"t":"ping"}`)
	assert.Equal(t, "pong", w.read().T, "before the join")
	w.send(fmt.Sprintf(`{"t":"join","token":%q}`, token))
	require.Equal(t, "tree", w.read().T)
	w.send(`{"t":"ping","ref":9}`)
	m := w.read()
	assert.Equal(t, "pong", m.T)
	assert.EqualValues(t, 9, m.Ref)

	res := s.post(t, "/", "ada", fmt.Sprintf(`{"t":"ping","token":%q}`, token))
	assert.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"t":"pong"}`, res.body)
}
