package protocol_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A navigate message naming a page another socket already serves (a
// duplicated tab, or the same navigation sent twice) is answered
// unknown_page, and the socket stays on its page.
func TestNavigateToAPageAnotherSocketServes(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	first, second := s.join(t, "/", "ada"), s.join(t, "/", "ada")

	res := s.do(t, http.MethodGet, "/other", "ada", http.Header{"Lvt-Navigate": {""}}, "")
	var page struct{ Token string }
	require.NoError(t, json.Unmarshal([]byte(res.body), &page))
	first.send(fmt.Sprintf(`{"t":"navigate","ref":1,"token":%q}`, page.Token))
	require.Equal(t, "tree", first.read().T)

	second.send(fmt.Sprintf(`{"t":"navigate","ref":2,"token":%q}`, page.Token))
	second.send(`{"t":"action","ref":3,"name":"counter.inc"}`)
	b, err := second.next()
	require.NoError(t, err, "no answer to the navigate message nor to the action after it")
	m := second.apply(b)
	assert.EqualValues(t, 2, m.Ref, "the navigate message is answered")
	if assert.NotNil(t, m.Error) {
		assert.Equal(t, "unknown_page", m.Error.Code)
	}
	m = second.read()
	assert.EqualValues(t, 3, m.Ref, "and the socket still serves its page")
	assert.Nil(t, m.Error)
}
