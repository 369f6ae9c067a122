package page_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/wire"
)

// events returns the "events" of message b.
func events(tb testing.TB, b []byte) []json.RawMessage {
	tb.Helper()
	var m struct{ Events []json.RawMessage }
	require.NoError(tb, json.Unmarshal(b, &m), "%s", b)
	return m.Events
}

func event(tb testing.TB, name string, payload any) []byte {
	tb.Helper()
	e, err := wire.EncodeEvent(name, payload)
	require.NoError(tb, err)
	return e
}

func TestEventsGoWithThePatchOfTheirChange(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	v.set(1)
	p.Changed()
	p.Emit([][]byte{event(t, "a", 1), event(t, "b", "x")})
	b := p.Next(sock)
	m := c.apply(b)
	assert.Equal(t, "patch", m.T)
	assert.Equal(t, "<p>1</p>", c.html(), "the patch carries the change")
	got := events(t, b)
	require.Len(t, got, 2)
	assert.JSONEq(t, `["a",1]`, string(got[0]))
	assert.JSONEq(t, `["b","x"]`, string(got[1]))
	assert.Nil(t, p.Next(sock), "sent once")

	// Events without a change: an empty patch carries them.
	p.Emit([][]byte{event(t, "c", nil)})
	b = p.Next(sock)
	m = c.apply(b)
	assert.Equal(t, "patch", m.T)
	assert.Len(t, events(t, b), 1)
}

func TestEventsGoWithTheReplyOfTheirAction(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	require.True(t, p.Reserve(t.Context(), sock, 7))
	v.set(2)
	p.Hold()
	p.Changed()
	p.Emit([][]byte{event(t, "saved", 7)})
	assert.Nil(t, p.Next(sock), "held for the reply")
	p.Settle(sock, 7, nil, "", nil)
	b := p.Next(sock)
	m := c.apply(b)
	assert.Equal(t, "reply", m.T)
	assert.Equal(t, "<p>2</p>", c.html())
	assert.Len(t, events(t, b), 1)
}

func TestEventsAreBounded(t *testing.T) {
	t.Parallel()
	_, p, _, _, _ := live(t, unbounded)
	var es [][]byte
	for i := range page.MaxEvents + 3 {
		es = append(es, event(t, fmt.Sprint("e", i), i))
	}
	assert.Equal(t, 3, p.Emit(es))
	big := event(t, "big", string(make([]byte, page.MaxEventBytes)))
	assert.Equal(t, 1, p.Emit([][]byte{big}))
}

func TestWorkEndsWhenThePageIsForgotten(t *testing.T) {
	t.Parallel()
	tab, p, _, _, _ := live(t, unbounded)
	ctx, done, ok := p.StartWork(context.Background(), 2)
	require.True(t, ok)
	_, done2, ok := p.StartWork(context.Background(), 2)
	require.True(t, ok)
	_, _, ok = p.StartWork(context.Background(), 2)
	assert.False(t, ok, "past the bound")
	done2()
	done2() // idempotent
	_, done3, ok := p.StartWork(context.Background(), 2)
	require.True(t, ok, "a place freed")
	defer done3()
	defer done()
	assert.NoError(t, ctx.Err())
	tab.Forget(p)
	assert.Error(t, ctx.Err(), "forgotten: the work is cancelled")
	_, _, ok = p.StartWork(context.Background(), 2)
	assert.False(t, ok, "no work for a forgotten page")
}
