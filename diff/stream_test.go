package diff

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// togglePage is like Go's pprof source listing: a big block of CSS and
// script behind a flag.
const togglePage = `<html><body>{{if .Styled}}<style>` + "{{/* big */}}" + `BIGCSS</style><script>BIGJS</script>{{end}}<h1>{{.Title}}</h1>{{if .Styled}}<footer>styled</footer>{{end}}</body></html>`

func TestStreamSendsStaticsOnce(t *testing.T) {
	src := strings.Replace(strings.Replace(togglePage, "BIGCSS", strings.Repeat("p{color:red}", 500), 1), "BIGJS", strings.Repeat("f();", 500), 1)
	ct := mustCompile(t, nil, src)
	on := render(t, ct, src, kv("Styled", true, "Title", "a"))
	off := render(t, ct, src, kv("Styled", false, "Title", "a"))
	var s Stream
	full := s.Full(on)
	assert.Same(t, on, s.Last())
	client, err := ParseTree(full)
	require.NoError(t, err)
	for i, next := range []*Tree{off, on, off, on} {
		msg := s.Update(next)
		assert.Less(t, len(msg), 40, "step %d: toggling resends no statics: %s", i, msg)
		client, err = client.Apply(msg)
		require.NoError(t, err, "%s", msg)
		assert.Equal(t, next.HTML(), client.HTML())
	}
	// Diff alone is self-contained against prev: it must resend them.
	assert.Greater(t, Diff(off, on).Len(), 4000)

	// A full tree starts over: the client drops its table, so statics travel again.
	s.Full(off)
	assert.Greater(t, len(s.Update(on)), 4000)
}

func TestStreamAdvanceSharesBytes(t *testing.T) {
	const src = `<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{if gt (len .) 2}}<p>many</p>{{end}}`
	ct := mustCompile(t, nil, src)
	a := render(t, ct, src, []string{"x", "y"})
	b := render(t, ct, src, []string{"x", "y", "z"})
	c := render(t, ct, src, []string{"z"})

	conns := make([]Stream, 100)
	clients := make([]*Tree, len(conns))
	for i := range conns {
		var err error
		clients[i], err = ParseTree(conns[i].Full(a))
		require.NoError(t, err)
	}
	apply := func(i int, msg []byte, want *Tree) {
		t.Helper()
		got, err := clients[i].Apply(msg)
		require.NoError(t, err, "%s", msg)
		assert.Equal(t, want.HTML(), got.HTML())
		clients[i] = got
	}
	// One connection saw b's statics before: it already holds <p>many</p>.
	apply(7, conns[7].Update(b), b)
	apply(7, conns[7].Update(a), a)

	p := Diff(a, b)
	var first []byte
	for i := range conns {
		msg := conns[i].Advance(p)
		if i == 7 {
			// The statics it already holds are not sent again.
			assert.NotContains(t, string(msg), `"p":`)
		}
		apply(i, msg, b)
		if i == 0 {
			first = msg
			assert.Contains(t, string(msg), `"p":`, "the first connection needs the new statics")
		}
	}
	// Connections that already hold every statics p names share p's bytes.
	next := Diff(b, c)
	var shared []byte
	for i := range conns {
		msg := conns[i].Advance(next)
		apply(i, msg, c)
		if i == 0 {
			shared = msg
			continue
		}
		assert.Equal(t, unsafe.SliceData(shared), unsafe.SliceData(msg), "connection %d gets the shared bytes", i)
	}
	assert.NotEmpty(t, first)

	// A patch made from another tree than the connection holds is redone.
	var late Stream
	late.Full(a)
	msg := late.Advance(Diff(b, c))
	client, err := ParseTree(must(a.MarshalJSON()))
	require.NoError(t, err)
	got, err := client.Apply(msg)
	require.NoError(t, err)
	assert.Equal(t, c.HTML(), got.HTML())
	assert.Same(t, c, late.Last())

	// Nil and empty patches change nothing.
	assert.Equal(t, "{}", string(late.Advance(nil)))
	assert.Equal(t, "{}", string(late.Advance(Diff(c, nil))))
	assert.Equal(t, "{}", string(late.Update(c)))
	assert.Same(t, c, late.Last())
}

func TestStreamOtherTemplate(t *testing.T) {
	const src1, src2 = `<p>{{if .}}<b>{{.}}</b>{{end}}</p>`, `<div>{{if .}}<i>{{.}}</i>{{end}}</div>`
	ct1, ct2 := mustCompile(t, nil, src1), mustCompile(t, nil, src2)
	a := render(t, ct1, src1, "x")
	b := render(t, ct2, src2, "y")
	var s Stream
	client, err := ParseTree(s.Full(a))
	require.NoError(t, err)
	// The ids of another Template mean other statics: all of them travel.
	msg := s.Update(b)
	client, err = client.Apply(msg)
	require.NoError(t, err, "%s", msg)
	assert.Equal(t, b.HTML(), client.HTML())
	msg = s.Update(render(t, ct2, src2, ""))
	client, err = client.Apply(msg)
	require.NoError(t, err, "%s", msg)
	assert.Equal(t, "<div></div>", client.HTML())
}

func TestStreamNil(t *testing.T) {
	var s Stream
	assert.Equal(t, "null", string(s.Full(nil)))
	assert.Nil(t, s.Last())
	ct := mustCompile(t, nil, `<p>{{.}}</p>`)
	tree := render(t, ct, `<p>{{.}}</p>`, "x")
	// Without a full tree first, a patch carries everything.
	msg := s.Update(tree)
	got, err := (*Tree)(nil).Apply(msg)
	require.NoError(t, err)
	assert.Equal(t, "<p>x</p>", got.HTML())
}

// TestStreamSize checks what a Stream of a small page costs besides its tree.
func TestStreamSize(t *testing.T) {
	ct := mustCompile(t, nil, counterPage)
	tree, err := ct.Render(map[string]any{"Count": 1, "Note": "n"})
	require.NoError(t, err)
	var s Stream
	s.Full(tree)
	size := int(unsafe.Sizeof(s)) + cap(s.known)*8
	t.Logf("a Stream of the counter page: %d B", size)
	assert.LessOrEqual(t, size, 64)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkFanOut sends one change of the 1000-row page to 10,000
// connections that hold the same tree: one Diff, then Advance per
// connection. It reports the time and allocations per connection.
func BenchmarkFanOut(b *testing.B) {
	_, ct := mustBenchTemplate(b)
	base := benchItems(1000)
	t0, err := ct.Render(benchPageData(base))
	require.NoError(b, err)
	t1, err := ct.Render(benchPageData(listEdits[0].edit(base)))
	require.NoError(b, err)
	conns := make([]Stream, 10000)
	for c := range conns {
		conns[c].Full(t0)
	}
	trees := [2]*Tree{t0, t1}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := Diff(trees[i&1], trees[(i+1)&1]) // once for every connection
		for c := range conns {
			conns[c].Advance(p)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(conns)), "ns/conn")
}
