package page_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/page"
)

func TestNextSendsATreeThenPatches(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	assert.Equal(t, "<p>0</p>", c.html())
	assert.EqualValues(t, 1, c.seq)
	assert.Nil(t, p.Next(sock), "nothing more to send")
	assert.Same(t, p.Holds(), p.Holds())

	wakes := sock.wakes.Load()
	v.set(1)
	p.Changed()
	assert.Greater(t, sock.wakes.Load(), wakes, "a change wakes the writer")
	m := c.apply(p.Next(sock))
	assert.Equal(t, "patch", m.T)
	assert.EqualValues(t, 2, m.Seq)
	assert.Equal(t, "<p>1</p>", c.html())
	assert.Nil(t, p.Next(sock))

	assert.Nil(t, p.Next(&socket{}), "another socket gets nothing")
}

// A client that falls behind gets one patch to the newest render, never a
// queue of stale ones, and the page renders once for many changes.
func TestChangesConflate(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	before := v.renders.Load()
	for i := 1; i <= 5; i++ {
		v.set(i)
		p.Changed()
	}
	m := c.apply(p.Next(sock))
	assert.EqualValues(t, 2, m.Seq)
	assert.Equal(t, "<p>5</p>", c.html())
	assert.Nil(t, p.Next(sock))
	assert.EqualValues(t, 1, v.renders.Load()-before)
}

func TestAChangeThatChangesNothingSendsNothing(t *testing.T) {
	t.Parallel()
	_, p, sock, v, _ := live(t, unbounded)
	p.Changed()
	assert.Nil(t, p.Next(sock), "the same HTML: nothing to send")
	v.set(0)
	p.Changed()
	assert.Nil(t, p.Next(sock))
}

func TestANewPageTellsItsToken(t *testing.T) {
	t.Parallel()
	tab := page.NewTable(unbounded)
	p := newPage(newView(t), ada, "a")
	p.MarkNew()
	tab.AddLive(p)
	sock := &socket{}
	require.NoError(t, tab.Attach(p, page.Attachment{Socket: sock}))
	m := decode(t, p.Next(sock))
	assert.Equal(t, "tree", m.T)
	assert.Equal(t, p.Token, m.Token, "the client sends it from now on")

	p.Resync(0)
	m = decode(t, p.Next(sock))
	assert.Equal(t, "tree", m.T)
	assert.Empty(t, m.Token, "only once")
}

// While an action runs (user code, the session store), the page's other
// changes go out as usual; once it publishes (Hold), output waits for its
// reply, which carries its patch.
func TestAReplyCarriesItsActionsPatch(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)

	require.True(t, p.Reserve(t.Context(), sock, 1))
	v.set(1) // another page changed the state meanwhile
	p.Changed()
	m := c.apply(p.Next(sock))
	assert.Equal(t, "patch", m.T, "not held before the action publishes")
	assert.Equal(t, "<p>1</p>", c.html())

	p.Hold()
	v.set(2) // the action publishes
	p.Changed()
	assert.Nil(t, p.Next(sock), "held for the reply")

	p.Settle(sock, 1, nil, "/next", nil)
	m = c.apply(p.Next(sock))
	assert.Equal(t, "reply", m.T)
	assert.EqualValues(t, 1, m.Ref)
	assert.EqualValues(t, 3, m.Seq)
	assert.Equal(t, "/next", m.Redirect)
	assert.Equal(t, "<p>2</p>", c.html(), "the reply carried the change")
	assert.Nil(t, p.Next(sock))
}

func TestRepliesInOrder(t *testing.T) {
	t.Parallel()
	_, p, sock, _, c := live(t, unbounded)
	errReply := []byte(`{"t":"reply","ref":2,"error":{"code":"failed","message":"No."}}`)

	p.Push(sock, []byte(`{"t":"reply","ref":1,"error":{"code":"bad_request","message":"Malformed message."}}`))
	require.True(t, p.Reserve(t.Context(), sock, 2))
	p.Settle(sock, 2, errReply, "", nil)
	require.True(t, p.Reserve(t.Context(), sock, 3))
	p.Settle(sock, 3, nil, "", nil)

	var refs []int64
	for b := p.Next(sock); b != nil; b = p.Next(sock) {
		refs = append(refs, c.apply(b).Ref)
	}
	assert.Equal(t, []int64{1, 2, 3}, refs)

	require.True(t, p.Reserve(t.Context(), sock, 4))
	p.Settle(sock, 4, errReply, "", nil)
	assert.Equal(t, errReply, p.Next(sock), "an error reply goes as it is")
	require.True(t, p.Reserve(t.Context(), sock, 5))
	p.Settle(sock, 5, nil, "", nil)
	m := c.apply(p.Next(sock))
	assert.JSONEq(t, `{}`, string(m.Patch), "a reply always carries a seq, with an empty patch when nothing changed")
	assert.EqualValues(t, c.seq, m.Seq)
}

func TestHoldWithoutAnActionHoldsNothing(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	p.Hold()
	v.set(1)
	p.Changed()
	c.apply(p.Next(sock))
	assert.Equal(t, "<p>1</p>", c.html())
}

func TestAReplyWhileATreeIsDue(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	require.True(t, p.Reserve(t.Context(), sock, 1))
	p.Resync(0)
	v.set(1)
	p.Changed()
	p.Settle(sock, 1, nil, "", nil)
	m := c.apply(p.Next(sock))
	assert.Equal(t, "reply", m.T)
	assert.JSONEq(t, `{}`, string(m.Patch), "the tree that follows covers the action")
	m = c.apply(p.Next(sock))
	assert.Equal(t, "tree", m.T)
	assert.Equal(t, "<p>1</p>", c.html())
}

// Reserve waits while MaxOutgoing replies wait for the writer: a client
// that does not read slows its own actions down.
func TestReserveWaitsForSpace(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, p, sock, _, _ := live(t, unbounded)
		for ref := range int64(page.MaxOutgoing) {
			require.True(t, p.Reserve(t.Context(), sock, ref+1))
			p.Settle(sock, ref+1, nil, "", nil)
		}
		got := make(chan bool, 1)
		go func() { got <- p.Reserve(context.Background(), sock, 100) }()
		synctest.Wait()
		select {
		case <-got:
			t.Fatal("Reserve did not wait for space")
		default:
		}
		require.NotNil(t, p.Next(sock)) // the writer takes one
		assert.True(t, <-got, "room for one more")

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		assert.False(t, p.Reserve(ctx, sock, 101), "gives up when ctx ends")
		assert.False(t, p.Reserve(t.Context(), &socket{}, 102), "not this page's socket")
	})
}

func TestPushDropsPastTheBound(t *testing.T) {
	t.Parallel()
	_, p, sock, _, _ := live(t, unbounded)
	for i := range page.MaxOutgoing + 3 {
		p.Push(sock, fmt.Appendf(nil, `{"t":"reply","ref":%d,"error":{"code":"bad_request","message":"x"}}`, i+1))
	}
	p.Push(&socket{}, []byte(`{"other":"socket"}`))
	n := 0
	for b := p.Next(sock); b != nil; b = p.Next(sock) {
		n++
		assert.Equal(t, int64(n), decode(t, b).Ref, "in order")
	}
	assert.Equal(t, page.MaxOutgoing, n)
}

func TestResyncSendsAFullTree(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	v.set(4)
	p.Changed()
	p.Resync(7) // a navigation to this page
	m := c.apply(p.Next(sock))
	assert.Equal(t, "tree", m.T)
	assert.EqualValues(t, 7, m.Ref, "the tree answers the navigate message")
	assert.EqualValues(t, 2, m.Seq)
	assert.Equal(t, "<p>4</p>", c.html())

	p.Resync(0) // the client asked for a sync
	m = c.apply(p.Next(sock))
	assert.Equal(t, "tree", m.T)
	assert.Zero(t, m.Ref)
	assert.EqualValues(t, 3, m.Seq)
}

// A page renders without its lock: a View whose Render reads the page
// must not deadlock.
func TestRenderRunsWithoutThePageLock(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	v.mu.Lock()
	v.onRender = func(p *page.Page) {
		_ = p.States()
		_ = p.Private()
		_ = p.Live()
		_ = p.Request()
		_ = p.Holds()
	}
	v.mu.Unlock()
	v.set(1)
	p.Changed()
	done := make(chan []byte)
	go func() { done <- p.Next(sock) }()
	select {
	case b := <-done:
		c.apply(b)
		assert.Equal(t, "<p>1</p>", c.html())
	case <-time.After(10 * time.Second):
		t.Fatal("Next deadlocked on a render that reads the page")
	}
}

func TestAFailedRenderIsNotRetriedUntilTheNextChange(t *testing.T) {
	t.Parallel()
	_, p, sock, v, c := live(t, unbounded)
	v.setFail(true)
	p.Changed()
	before := v.renders.Load()
	assert.Nil(t, p.Next(sock))
	assert.EqualValues(t, 1, v.renders.Load()-before)
	assert.Nil(t, p.Next(sock))
	p.Render()
	assert.EqualValues(t, 1, v.renders.Load()-before, "not retried")

	v.setFail(false)
	v.set(2)
	p.Changed()
	c.apply(p.Next(sock))
	assert.Equal(t, "<p>2</p>", c.html())
}

func TestAFullTreeThatDoesNotRenderIsNotSent(t *testing.T) {
	t.Parallel()
	tab := page.NewTable(unbounded)
	v := newView(t)
	v.setFail(true)
	p := newPage(v, ada, "a")
	tab.AddLive(p)
	sock := &socket{}
	require.NoError(t, tab.Attach(p, page.Attachment{Socket: sock}))
	assert.Nil(t, p.Next(sock))
	_, err := p.Tree(0)
	assert.ErrorIs(t, err, page.ErrNoRender)
}

// A client that reconnects holding what the page last sent gets a patch
// from there, not a full tree.
func TestResume(t *testing.T) {
	t.Parallel()
	tab, p, sock, v, c := live(t, unbounded)
	v.set(1)
	p.Changed()
	c.apply(p.Next(sock))
	_, ok := tab.Detach(p, sock)
	require.True(t, ok)
	v.set(2)

	tests := []struct {
		name string
		seq  uint64
		want string
	}{
		{name: "holding the last message", seq: c.seq, want: "patch"},
		{name: "holding something else", seq: c.seq - 1, want: "tree"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sock2 := &socket{}
			require.NoError(t, tab.Attach(p, page.Attachment{Socket: sock2, Seq: tc.seq}))
			t.Cleanup(func() { tab.Detach(p, sock2) })
			resumed := *c
			m := resumed.apply(p.Next(sock2))
			assert.Equal(t, tc.want, m.T)
			assert.Equal(t, "<p>2</p>", resumed.html())
			*c = resumed // what the client holds now
		})
	}

	t.Run("nothing changed", func(t *testing.T) {
		sock3 := &socket{}
		require.NoError(t, tab.Attach(p, page.Attachment{Socket: sock3, Seq: c.seq}))
		m := c.apply(p.Next(sock3))
		assert.Equal(t, "patch", m.T, "a resume is acknowledged even when nothing changed")
		assert.JSONEq(t, `{}`, string(m.Patch))
		assert.Nil(t, p.Next(sock3))
	})
}

func TestAfterDetachTheOldSocketIsIgnored(t *testing.T) {
	t.Parallel()
	tab, p, sock, _, _ := live(t, unbounded)
	require.True(t, p.Reserve(t.Context(), sock, 1))
	_, ok := tab.Detach(p, sock)
	require.True(t, ok)
	p.Settle(sock, 1, nil, "", nil)
	p.Push(sock, []byte(`{}`))
	assert.Nil(t, p.Next(sock))
	assert.False(t, p.Reserve(t.Context(), sock, 2))
}

func TestHTTPPolls(t *testing.T) {
	t.Parallel()
	tab := page.NewTable(unbounded)
	v := newView(t)
	p := newPage(v, ada, "a")
	tab.AddFresh(p, nil, "", 0)
	require.NoError(t, tab.Attach(p, page.Attachment{}))
	require.True(t, p.Polling())
	require.True(t, p.Live())
	assert.Nil(t, p.Socket())

	msg, full, notify := p.Poll(0, true)
	assert.Nil(t, msg)
	assert.True(t, full, "the client holds nothing yet")
	require.NotNil(t, notify)

	c := &client{tb: t}
	b, err := p.Tree(0)
	require.NoError(t, err)
	c.apply(b)
	assert.Equal(t, "<p>0</p>", c.html())

	msg, full, _ = p.Poll(c.seq, true)
	assert.Nil(t, msg, "nothing changed: the poll waits on notify")
	assert.False(t, full)

	v.set(1)
	p.Changed()
	select {
	case <-notify:
	default:
		t.Fatal("a change signals the waiting poll")
	}
	msg, full, _ = p.Poll(c.seq, false) // after the wait
	require.False(t, full)
	m := c.apply(msg)
	assert.Equal(t, "patch", m.T)
	assert.Equal(t, "<p>1</p>", c.html())

	_, full, _ = p.Poll(c.seq-1, true)
	assert.True(t, full, "a client that missed a message gets a full tree")
	_, full, _ = p.Poll(c.seq-1, false)
	assert.False(t, full, "checked on the poll's first look only: after a wait the page may have replied meanwhile")

	v.set(2)
	p.Changed()
	m = c.apply(p.Reply(5, "/done", nil))
	assert.Equal(t, "reply", m.T)
	assert.EqualValues(t, 5, m.Ref)
	assert.Equal(t, "/done", m.Redirect)
	assert.Equal(t, "<p>2</p>", c.html())

	b, err = p.Tree(9)
	require.NoError(t, err)
	m = c.apply(b)
	assert.EqualValues(t, 9, m.Ref)
	assert.Equal(t, "<p>2</p>", c.html())
}

func TestTurn(t *testing.T) {
	t.Parallel()
	p := newPage(newView(t), ada, "a")
	require.NoError(t, p.Lock(t.Context()))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, p.Lock(ctx), context.Canceled, "one action at a time")
	p.Unlock()
	require.NoError(t, p.Lock(t.Context()))
	p.Unlock()
}

func TestLeavingAndLife(t *testing.T) {
	t.Parallel()
	p := newPage(newView(t), ada, "a")
	assert.Nil(t, p.Leaving())
	p.SetLeaving([]page.Flash{{Kind: "info", Message: "Saved."}})
	assert.Equal(t, []page.Flash{{Kind: "info", Message: "Saved."}}, p.Leaving())
	assert.Nil(t, p.Leaving(), "handed over once")

	ends := 0
	p.EndLife() // none recorded
	p.SetLife(func() { ends++ })
	p.EndLife()
	p.EndLife()
	assert.Equal(t, 1, ends)
}

func TestSetPrivate(t *testing.T) {
	t.Parallel()
	_, p, sock, _, _ := live(t, unbounded)
	assert.Equal(t, &page.Private{}, p.Private())
	before := sock.wakes.Load()
	next := &page.Private{Gen: 1, Flash: []page.Flash{{Kind: "info", Message: "Hi"}}}
	p.SetPrivate(next)
	assert.Same(t, next, p.Private())
	assert.Greater(t, sock.wakes.Load(), before)
	memo := &page.Memo{Key: "k"}
	p.SetMemo(memo)
	assert.Same(t, memo, p.Memo())
	assert.Equal(t, p.Token[:6], p.LogID)
}

// A page's writer loop: the socket's writer calls Next after each wake-up
// until it returns nil.
func ExamplePage_Next() {
	v := &view{}
	v.tmpl, _ = compile(`<p>Count: {{.}}</p>`)
	tab := page.NewTable(page.Options{MaxWaiting: -1, MaxPerGroup: -1, MaxPerAddress: -1, MaxUnjoined: -1})
	p := page.New("token-1", ada, "127.0.0.1", v, nil, nil)
	tab.AddLive(p)
	sock := &socket{}
	_ = tab.Attach(p, page.Attachment{Socket: sock})
	fmt.Printf("%s\n", p.Next(sock))

	v.set(1)
	p.Changed()
	_ = p.Reserve(context.Background(), sock, 1)
	p.Settle(sock, 1, nil, "", nil)
	fmt.Printf("%s\n", p.Next(sock))
	fmt.Println(p.Next(sock) == nil)
	// Output:
	// {"t":"tree","seq":1,"tree":{"p":{"0":["<p>Count: ","</p>"]},"s":0,"0":"0"}}
	// {"t":"reply","ref":1,"seq":2,"patch":{"0":"1"}}
	// true
}
