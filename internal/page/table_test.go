package page_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/state"
)

// code returns the wire code of a refusal, or "" for none.
func code(fe *fault.Error) string {
	if fe == nil {
		return ""
	}
	return fe.Kind.Code()
}

func TestOpenLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		o     page.Options
		addrs []string
		want  []string
	}{
		{
			name:  "per address",
			o:     page.Options{MaxPerAddress: 2, MaxUnjoined: -1},
			addrs: []string{"a", "a", "a", "b"},
			want:  []string{"", "", "too_many_connections", ""},
		},
		{
			name:  "unjoined, server-wide",
			o:     page.Options{MaxPerAddress: -1, MaxUnjoined: 2},
			addrs: []string{"a", "b", "c"},
			want:  []string{"", "", "unavailable"},
		},
		{
			name:  "no bounds",
			o:     page.Options{MaxPerAddress: -1, MaxUnjoined: -1},
			addrs: []string{"a", "a", "a", "a"},
			want:  []string{"", "", "", ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tab := page.NewTable(tc.o)
			var got []string
			for _, a := range tc.addrs {
				got = append(got, code(tab.Open(a)))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestOpenRefusalsCloseWithTheirCodes(t *testing.T) {
	t.Parallel()
	tab := page.NewTable(page.Options{MaxPerAddress: 2, MaxUnjoined: 1})
	require.Nil(t, tab.Open("a"))

	busy := tab.Open("b")
	require.NotNil(t, busy, "one socket already waits for its join")
	c, reason := fault.CloseCode(busy)
	assert.Equal(t, 1013, c)
	assert.Equal(t, "Server busy.", reason)

	tab.Joined("a")
	require.Nil(t, tab.Open("a"), "the first joined: room for another")
	tab.Joined("a")
	tooMany := tab.Open("a")
	require.NotNil(t, tooMany, "two sockets of a")
	c, _ = fault.CloseCode(tooMany)
	assert.Equal(t, 4029, c)

	tab.Closed("a")
	assert.Nil(t, tab.Open("a"), "a closed socket frees its address's room")
}

func TestCloseRefusesEverything(t *testing.T) {
	t.Parallel()
	tab := page.NewTable(unbounded)
	v := newView(t)
	live, waiting := newPage(v, ada, "a"), newPage(v, bob, "a")
	tab.AddLive(live)
	require.NoError(t, tab.Attach(live, page.Attachment{Socket: &socket{}}))
	tab.AddLive(waiting)

	assert.Equal(t, []*page.Page{live}, tab.Close(), "the live pages, for the caller to disconnect")
	assert.Equal(t, fault.ShuttingDown, tab.Open("a").Kind)
	err := tab.Attach(waiting, page.Attachment{Socket: &socket{}})
	assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
	n := tab.Len()
	tab.AddFresh(newPage(v, ada, "a"), nil, "", 0)
	assert.Equal(t, n, tab.Len(), "nothing is added after Close")

	states, ok := tab.Detach(live, live.Socket())
	assert.True(t, ok, "live pages still leave")
	assert.Nil(t, states)
	assert.Zero(t, tab.Waiting(), "and are not kept waiting")
}

func TestLookupIsBoundToTheGroupAndTheUser(t *testing.T) {
	t.Parallel()
	tab := page.NewTable(unbounded)
	p := newPage(newView(t), ada, "a")
	tab.AddFresh(p, nil, "", 0)

	assert.Same(t, p, tab.Lookup(p.Token, ada))
	assert.Nil(t, tab.Lookup(p.Token, bob), "another user of the same group cannot use the token")
	assert.Nil(t, tab.Lookup(p.Token, cy), "another group cannot use the token")
	assert.Nil(t, tab.Lookup("", ada))
	assert.Nil(t, tab.Lookup("unknown", ada))
	assert.Equal(t, 1, tab.Len())
	assert.Equal(t, 1, tab.Waiting())
}

func TestAttachIndexesLivePages(t *testing.T) {
	t.Parallel()
	st := states(t, "g1", "g2")
	tab := page.NewTable(unbounded)
	v1, v2 := newView(t), newView(t)
	p1, p2, p3 := newPage(v1, ada, "a"), newPage(v1, bob, "b"), newPage(v2, cy, "c")
	s1, s2 := &socket{}, &socket{}
	for _, a := range []struct {
		p    *page.Page
		sock page.Socket
		st   *state.State
	}{{p1, s1, st["g1"]}, {p2, s2, st["g1"]}, {p3, nil, st["g2"]}} {
		tab.AddFresh(a.p, nil, "", 0)
		require.NoError(t, tab.Attach(a.p, page.Attachment{Socket: a.sock, States: []*state.State{a.st}}))
	}
	assert.Zero(t, tab.Waiting())
	assert.Equal(t, 3, tab.Len())
	assert.True(t, p1.Live())
	assert.Same(t, s1, p1.Socket())
	assert.False(t, p1.Polling())
	assert.True(t, p3.Polling(), "no socket: HTTP polls")
	assert.Equal(t, []*state.State{st["g1"]}, p1.States())

	group := tab.Group("g1")
	tests := []struct {
		name string
		got  []*page.Page
		want []*page.Page
	}{
		{name: "group", got: group, want: []*page.Page{p1, p2}},
		{name: "other group", got: tab.Group("g2"), want: []*page.Page{p3}},
		{name: "user", got: tab.User("ada"), want: []*page.Page{p1}},
		{name: "state", got: tab.State("g:g1"), want: []*page.Page{p1, p2}},
		{name: "view", got: tab.View(v1), want: []*page.Page{p1, p2}},
		{name: "all", got: tab.All(), want: []*page.Page{p1, p2, p3}},
		{name: "nobody", got: tab.User("zed"), want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ElementsMatch(t, tc.want, tc.got)
		})
	}
	assert.Equal(t, 2, tab.GroupLen("g1"))

	states, ok := tab.Detach(p1, s1)
	require.True(t, ok)
	assert.Equal(t, []*state.State{st["g1"]}, states, "the states it showed, for the caller to release")
	assert.False(t, p1.Live())
	assert.Nil(t, p1.States())
	assert.Nil(t, p1.Socket())
	assert.ElementsMatch(t, []*page.Page{p1, p2}, group, "a query's answer is a snapshot")
	assert.ElementsMatch(t, []*page.Page{p2}, tab.Group("g1"))
	assert.ElementsMatch(t, []*page.Page{p2}, tab.State("g:g1"))
	assert.Empty(t, tab.User("ada"))
	assert.Equal(t, 1, tab.Waiting(), "kept so that it can resume")
	assert.Same(t, p1, tab.Lookup(p1.Token, ada))
}

func TestAttachRefusals(t *testing.T) {
	t.Parallel()
	t.Run("taken", func(t *testing.T) {
		t.Parallel()
		tab := page.NewTable(unbounded)
		p := newPage(newView(t), ada, "a")
		tab.AddFresh(p, nil, "", 0)
		first := &socket{}
		require.NoError(t, tab.Attach(p, page.Attachment{Socket: first}))
		assert.ErrorIs(t, tab.Attach(p, page.Attachment{Socket: &socket{}}), page.ErrTaken, "a duplicated tab")
		assert.ErrorIs(t, tab.Attach(p, page.Attachment{}), page.ErrTaken, "and over HTTP")
		assert.Same(t, first, p.Socket())
		_, ok := tab.Detach(p, &socket{})
		assert.False(t, ok, "only its own socket detaches it")
		_, ok = tab.Detach(p, nil)
		assert.False(t, ok, "it is not polling")
		assert.True(t, p.Live())
	})
	t.Run("gone", func(t *testing.T) {
		t.Parallel()
		tab := page.NewTable(unbounded)
		p := newPage(newView(t), ada, "a")
		tab.AddFresh(p, nil, "", 0)
		tab.Forget(p)
		assert.ErrorIs(t, tab.Attach(p, page.Attachment{Socket: &socket{}}), page.ErrGone)
		assert.Nil(t, tab.Lookup(p.Token, ada))
		assert.Zero(t, tab.Len())
		assert.Zero(t, tab.Waiting())
	})
	t.Run("per group", func(t *testing.T) {
		t.Parallel()
		o := unbounded
		o.MaxPerGroup = 1
		tab := page.NewTable(o)
		v := newView(t)
		p1, p2, p3 := newPage(v, ada, "a"), newPage(v, bob, "b"), newPage(v, cy, "b")
		for _, p := range []*page.Page{p1, p2, p3} {
			tab.AddFresh(p, nil, "", 0)
		}
		require.NoError(t, tab.Attach(p1, page.Attachment{Socket: &socket{}, Group: true}))
		err := tab.Attach(p2, page.Attachment{Socket: &socket{}, Group: true})
		assert.Equal(t, fault.TooMany, fault.As(err).Kind)
		assert.False(t, p2.Live())
		assert.Same(t, p2, tab.Lookup(p2.Token, bob), "the refused page waits, to try again")
		assert.NoError(t, tab.Attach(p3, page.Attachment{Socket: &socket{}, Group: true}), "another group has its own room")
		_, ok := tab.Detach(p1, p1.Socket())
		require.True(t, ok)
		assert.NoError(t, tab.Attach(p2, page.Attachment{Socket: &socket{}, Group: true}), "room again")
	})
	t.Run("per address, over HTTP", func(t *testing.T) {
		t.Parallel()
		o := unbounded
		o.MaxPerAddress = 1
		tab := page.NewTable(o)
		v := newView(t)
		p1, p2 := newPage(v, ada, "a"), newPage(v, bob, "a")
		tab.AddFresh(p1, nil, "", 0)
		tab.AddFresh(p2, nil, "", 0)
		require.NoError(t, tab.Attach(p1, page.Attachment{}))
		assert.NotNil(t, tab.Open("a"), "the polling page counts against its address")
		err := tab.Attach(p2, page.Attachment{})
		assert.Equal(t, fault.TooMany, fault.As(err).Kind)
		_, ok := tab.Detach(p1, nil)
		require.True(t, ok)
		assert.NoError(t, tab.Attach(p2, page.Attachment{}), "detaching freed the address's room")
	})
}

func TestMaxWaitingForgetsTheOldest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := unbounded
		o.MaxWaiting = 2
		tab := page.NewTable(o)
		v := newView(t)
		p1, p2, p3, p4 := newPage(v, ada, "a"), newPage(v, ada, "a"), newPage(v, ada, "a"), newPage(v, ada, "a")

		tab.AddFresh(p1, nil, "", 0)
		time.Sleep(time.Second)
		tab.AddFresh(p2, nil, "", 0)
		time.Sleep(time.Second)
		tab.AddLive(p3)
		require.NoError(t, tab.Attach(p3, page.Attachment{Socket: &socket{}}))
		_, ok := tab.Detach(p3, p3.Socket()) // waits to resume
		require.True(t, ok)

		assert.Equal(t, 2, tab.Waiting())
		assert.Nil(t, tab.Lookup(p1.Token, ada), "the oldest was forgotten")
		assert.NotNil(t, tab.Lookup(p2.Token, ada))
		assert.NotNil(t, tab.Lookup(p3.Token, ada))

		time.Sleep(time.Second)
		tab.AddFresh(p4, nil, "", 0)
		assert.Nil(t, tab.Lookup(p2.Token, ada), "older than the idle page")
		assert.NotNil(t, tab.Lookup(p3.Token, ada))
		assert.NotNil(t, tab.Lookup(p4.Token, ada))
		assert.ErrorIs(t, tab.Attach(p1, page.Attachment{Socket: &socket{}}), page.ErrGone)
	})
}

func TestSweep(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := unbounded
		o.FreshTimeout, o.IdleTimeout, o.PollTimeout = time.Minute, 5*time.Minute, 40*time.Second
		tab := page.NewTable(o)
		v := newView(t)
		fresh, idle, polling := newPage(v, ada, "a"), newPage(v, ada, "a"), newPage(v, bob, "b")
		tab.AddFresh(fresh, nil, "", 0)
		tab.AddLive(idle)
		require.NoError(t, tab.Attach(idle, page.Attachment{Socket: &socket{}}))
		_, ok := tab.Detach(idle, idle.Socket())
		require.True(t, ok)
		tab.AddLive(polling)
		require.NoError(t, tab.Attach(polling, page.Attachment{}))

		time.Sleep(30 * time.Second)
		assert.Empty(t, tab.Sweep(time.Now()))
		assert.Equal(t, 3, tab.Len())

		time.Sleep(15 * time.Second)
		assert.Equal(t, []*page.Page{polling}, tab.Sweep(time.Now()), "its client stopped polling")
		assert.True(t, polling.Live(), "the caller detaches it")
		polling.Touch() // a poll came
		assert.Empty(t, tab.Sweep(time.Now()))

		time.Sleep(20 * time.Second)
		tab.Sweep(time.Now())
		assert.Nil(t, tab.Lookup(fresh.Token, ada), "its connection never came")
		assert.NotNil(t, tab.Lookup(idle.Token, ada))

		time.Sleep(4 * time.Minute)
		tab.Sweep(time.Now())
		assert.Nil(t, tab.Lookup(idle.Token, ada), "it did not resume in time")
		assert.Same(t, polling, tab.Lookup(polling.Token, bob), "live pages are never swept")
		assert.Zero(t, tab.Waiting())
	})
}

func TestSweepFreshPagesWaitNoLongerThanIdleOnes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := unbounded
		o.FreshTimeout, o.IdleTimeout = 10*time.Minute, time.Minute
		tab := page.NewTable(o)
		p := newPage(newView(t), ada, "a")
		tab.AddFresh(p, nil, "", 0)
		time.Sleep(time.Minute + time.Second)
		tab.Sweep(time.Now())
		assert.Nil(t, tab.Lookup(p.Token, ada))
	})
}

// A page load's render is kept for its connection while the budget lasts,
// and reused when it is still current.
func TestFirstRenders(t *testing.T) {
	t.Parallel()
	o := unbounded
	o.FirstRenders = 100
	tab := page.NewTable(o)
	v := newView(t)
	v.set(1)
	current := func(key string) bool { return key == "k1" }

	kept, over, stale := newPage(v, ada, "a"), newPage(v, ada, "a"), newPage(v, ada, "a")
	tab.AddFresh(kept, v.tree(t, 1), "k1", 60)
	tab.AddFresh(over, v.tree(t, 1), "k1", 60) // over the budget: not kept

	sock := &socket{}
	require.NoError(t, tab.Attach(kept, page.Attachment{Socket: sock, Reuse: current}))
	c := &client{tb: t}
	c.apply(kept.Next(sock))
	assert.Equal(t, "<p>1</p>", c.html())
	assert.Zero(t, v.renders.Load(), "the kept render was sent")

	sock2 := &socket{}
	require.NoError(t, tab.Attach(over, page.Attachment{Socket: sock2, Reuse: current}))
	over.Next(sock2)
	assert.EqualValues(t, 1, v.renders.Load(), "nothing kept: rendered")

	// kept's connection came, so its bytes are back in the budget.
	tab.AddFresh(stale, v.tree(t, 1), "k0", 100)
	sock3 := &socket{}
	require.NoError(t, tab.Attach(stale, page.Attachment{Socket: sock3, Reuse: current}))
	stale.Next(sock3)
	assert.EqualValues(t, 2, v.renders.Load(), "kept, but no longer current: rendered")

	again := newPage(v, ada, "a")
	tab.AddFresh(again, v.tree(t, 1), "k1", 100)
	tab.Forget(again)
	reuse := newPage(v, ada, "a")
	tab.AddFresh(reuse, v.tree(t, 1), "k1", 100)
	sock4 := &socket{}
	require.NoError(t, tab.Attach(reuse, page.Attachment{Socket: sock4, Reuse: current}))
	reuse.Next(sock4)
	assert.EqualValues(t, 2, v.renders.Load(), "a forgotten page's bytes are back in the budget too")
}

// Options.MaxPerGroup: "pages that show none of its state are not
// counted". A page attached with Group false must not take the room of one
// that shows the group's state.
func TestGroupLimitCountsOnlyPagesThatShowTheGroupsState(t *testing.T) {
	t.Parallel()
	o := unbounded
	o.MaxPerGroup = 1
	tab := page.NewTable(o)
	v := newView(t)
	other, grouped := newPage(v, ada, "a"), newPage(v, bob, "b")
	tab.AddFresh(other, nil, "", 0)
	tab.AddFresh(grouped, nil, "", 0)

	require.NoError(t, tab.Attach(other, page.Attachment{Socket: &socket{}, Group: false}))
	assert.NoError(t, tab.Attach(grouped, page.Attachment{Socket: &socket{}, Group: true}),
		"the only page that shows the group's state is within MaxPerGroup 1")
}

// Pages whose connection ended keep their client's tree for a resume; the
// bytes they keep are bounded: past MaxWaitingBytes the oldest go.
func TestWaitingPagesAreBoundedInBytes(t *testing.T) {
	t.Parallel()
	v := newView(t)
	v.set(123456) // "<p>123456</p>"
	opts := page.Options{MaxWaiting: -1, MaxPerGroup: -1, MaxPerAddress: -1, MaxUnjoined: -1,
		FreshTimeout: time.Hour, IdleTimeout: time.Hour}
	weigh := page.NewTable(opts) // what each page below keeps
	one := newPage(v, ada, "a")
	weigh.AddLive(one)
	first := &socket{}
	require.NoError(t, weigh.Attach(one, page.Attachment{Socket: first}))
	require.NotNil(t, one.Next(first))
	weight := int64(one.Holds().Footprint())
	require.Positive(t, weight)
	opts.MaxWaitingBytes = 2*weight + weight/2
	tab := page.NewTable(opts)
	var pages []*page.Page
	for range 3 {
		p := newPage(v, ada, "a")
		tab.AddLive(p)
		sock := &socket{}
		require.NoError(t, tab.Attach(p, page.Attachment{Socket: sock}))
		require.NotNil(t, p.Next(sock), "the client holds a tree now")
		_, ok := tab.Detach(p, sock)
		require.True(t, ok)
		pages = append(pages, p)
	}
	assert.Nil(t, tab.Lookup(pages[0].Token, ada), "three pages over two and a half: the oldest was forgotten")
	assert.Same(t, pages[1], tab.Lookup(pages[1].Token, ada))
	assert.Same(t, pages[2], tab.Lookup(pages[2].Token, ada))
	require.NoError(t, tab.Attach(pages[1], page.Attachment{Socket: &socket{}}))
	p := newPage(v, ada, "a")
	tab.AddLive(p)
	sock := &socket{}
	require.NoError(t, tab.Attach(p, page.Attachment{Socket: sock}))
	require.NotNil(t, p.Next(sock))
	_, ok := tab.Detach(p, sock)
	require.True(t, ok)
	assert.Same(t, pages[2], tab.Lookup(pages[2].Token, ada), "a page that resumed gave its bytes back")
}

// One address may hold only a share of the sockets waiting for their join.
func TestOneAddressHoldsAShareOfTheUnjoined(t *testing.T) {
	t.Parallel()
	tab := page.NewTable(page.Options{MaxPerAddress: -1, MaxUnjoined: 100, UnjoinedShare: 2})
	require.Nil(t, tab.Open("a"))
	require.Nil(t, tab.Open("a"))
	busy := tab.Open("a")
	require.NotNil(t, busy, "a holds its share")
	c, _ := fault.CloseCode(busy)
	assert.Equal(t, 1013, c)
	assert.Nil(t, tab.Open("b"), "another address still gets in")
	tab.Joined("a")
	assert.Nil(t, tab.Open("a"), "one of a's joined: room again")
}

// room opens sockets of addr until one is refused, and returns how many
// were let in (at most 100).
func room(tab *page.Table, addr string) int {
	n := 0
	for n < 100 && tab.Open(addr) == nil {
		n++
	}
	return n
}

// A connection that ends gives back exactly its own room, whatever the
// count was: a count that dropped to zero early would let a client past
// MaxPerAddress by opening and closing connections.
func TestAddressCountsDropOneAtATime(t *testing.T) {
	t.Parallel()
	const limit = 4
	for held := 1; held <= limit; held++ {
		for _, tc := range []struct {
			name string
			// hold makes n connections of addr live, and returns a func
			// that ends one of them.
			hold func(t *testing.T, tab *page.Table, addr string, n int) (end func())
		}{
			{name: "sockets", hold: func(t *testing.T, tab *page.Table, addr string, n int) func() {
				for range n {
					require.Nil(t, tab.Open(addr))
				}
				return func() { tab.Joined(addr); tab.Closed(addr) }
			}},
			{name: "HTTP pages", hold: func(t *testing.T, tab *page.Table, addr string, n int) func() {
				var pages []*page.Page
				v := newView(t)
				for range n {
					p := newPage(v, ada, addr)
					tab.AddFresh(p, nil, "", 0)
					require.NoError(t, tab.Attach(p, page.Attachment{}))
					pages = append(pages, p)
				}
				return func() {
					_, ok := tab.Detach(pages[0], nil)
					require.True(t, ok)
				}
			}},
			{name: "a socket among HTTP pages", hold: func(t *testing.T, tab *page.Table, addr string, n int) func() {
				require.Nil(t, tab.Open(addr))
				v := newView(t)
				for range n - 1 {
					p := newPage(v, ada, addr)
					tab.AddFresh(p, nil, "", 0)
					require.NoError(t, tab.Attach(p, page.Attachment{}))
				}
				return func() { tab.Joined(addr); tab.Closed(addr) }
			}},
			{name: "an HTTP page among sockets", hold: func(t *testing.T, tab *page.Table, addr string, n int) func() {
				v := newView(t)
				p := newPage(v, ada, addr)
				tab.AddFresh(p, nil, "", 0)
				require.NoError(t, tab.Attach(p, page.Attachment{}))
				for range n - 1 {
					require.Nil(t, tab.Open(addr))
				}
				return func() {
					_, ok := tab.Detach(p, nil)
					require.True(t, ok)
				}
			}},
		} {
			t.Run(fmt.Sprintf("%s, %d of %d, one ends", tc.name, held, limit), func(t *testing.T) {
				t.Parallel()
				o := unbounded
				o.MaxPerAddress = limit
				tab := page.NewTable(o)
				end := tc.hold(t, tab, "a", held)
				end()
				assert.Equal(t, limit-held+1, room(tab, "a"), "the room one connection gave back")
				assert.Equal(t, limit, room(tab, "b"), "another address has its own")
			})
		}
	}
}

// A page that leaves its group gives back exactly its own room, whatever
// the count was: a count that dropped to zero early would let a group
// past MaxPerGroup.
func TestGroupCountsDropOneAtATime(t *testing.T) {
	t.Parallel()
	const limit = 3
	for held := 1; held <= limit; held++ {
		for _, tr := range []struct {
			name   string
			socket func() page.Socket
		}{
			{name: "WebSockets", socket: func() page.Socket { return &socket{} }},
			{name: "HTTP", socket: func() page.Socket { return nil }},
		} {
			t.Run(fmt.Sprintf("%s, %d of %d, one leaves", tr.name, held, limit), func(t *testing.T) {
				t.Parallel()
				o := unbounded
				o.MaxPerGroup = limit
				tab := page.NewTable(o)
				v := newView(t)
				attach := func(id auth.Identity) error {
					p := newPage(v, id, "a")
					tab.AddFresh(p, nil, "", 0)
					return tab.Attach(p, page.Attachment{Socket: tr.socket(), Group: true})
				}
				first := newPage(v, ada, "a")
				tab.AddFresh(first, nil, "", 0)
				require.NoError(t, tab.Attach(first, page.Attachment{Socket: tr.socket(), Group: true}))
				for range held - 1 {
					require.NoError(t, attach(ada))
				}

				_, ok := tab.Detach(first, first.Socket())
				require.True(t, ok)
				let := 0
				for let < 100 && attach(bob) == nil {
					let++
				}
				assert.Equal(t, limit-held+1, let, "the room one page gave back")
				assert.NoError(t, attach(cy), "another group has its own room")
			})
		}
	}
}
