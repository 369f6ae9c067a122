package livetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/livetest"
)

// errorsTB is a test whose Errorf is recorded instead of failing it, to
// check what livetest reports.
type errorsTB struct {
	testing.TB

	mu     sync.Mutex
	errors []string
}

func (e *errorsTB) Errorf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errors = append(e.errors, fmt.Sprintf(format, args...))
}

func (e *errorsTB) reported() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.errors...)
}

// fakeServer speaks the protocol by hand: it serves a page with a token,
// and, on its WebSocket, answers the join with a tree of <p>1</p> (seq 1),
// then sends what script returns, and answers every sync with a tree of
// <p>N</p> with the next seq N. It records the messages it receives.
type fakeServer struct {
	tb     testing.TB
	tmpl   *diff.Template
	script func(s *fakeServer) [][]byte

	mu       sync.Mutex
	received []string
}

func newFakeServer(tb testing.TB, script func(s *fakeServer) [][]byte) *fakeServer {
	tb.Helper()
	tmpl, err := diff.Compile(template.Must(template.New("p").Parse(`<p>{{.}}</p>`)))
	require.NoError(tb, err)
	return &fakeServer{tb: tb, tmpl: tmpl, script: script}
}

// render returns the tree of <p>n</p>.
func (s *fakeServer) render(n int) *diff.Tree {
	t, err := s.tmpl.Render(n)
	require.NoError(s.tb, err)
	return t
}

// tree returns the message of a full tree of <p>n</p> with seq n.
func (s *fakeServer) tree(n int) []byte {
	js, err := json.Marshal(map[string]any{"t": "tree", "seq": n, "tree": s.render(n)})
	require.NoError(s.tb, err)
	return js
}

// patch returns the message of a patch with seq.
func (s *fakeServer) patch(seq int, patch any) []byte {
	js, err := json.Marshal(map[string]any{"t": "patch", "seq": seq, "patch": patch})
	require.NoError(s.tb, err)
	return js
}

func (s *fakeServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

func (s *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "" {
		_, _ = fmt.Fprint(w, `<!DOCTYPE html><html><body><p>1</p><script data-lvt-token="tok" defer></script></body></html>`)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := context.WithoutCancel(r.Context())
	seq := 1
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return // the page closed
		}
		var m struct{ T string }
		if json.Unmarshal(data, &m) != nil {
			return
		}
		s.mu.Lock()
		s.received = append(s.received, m.T)
		s.mu.Unlock()
		var out [][]byte
		switch m.T {
		case "join":
			out = append([][]byte{s.tree(1)}, s.script(s)...)
		case "sync":
			seq += 100 // past every seq the script used
			out = [][]byte{s.tree(seq)}
		}
		for _, msg := range out {
			if c.Write(ctx, websocket.MessageText, msg) != nil {
				return
			}
		}
	}
}

// livetest fails the test when the server sends what the reference client
// cannot apply, and resynchronises as the browser does: one sync, then the
// full tree that answers it.
func TestWhatCannotBeAppliedFailsTheTest(t *testing.T) {
	tests := []struct {
		name   string
		script func(s *fakeServer) [][]byte
		report string
	}{
		{
			name: "a patch that does not apply",
			script: func(s *fakeServer) [][]byte {
				return [][]byte{s.patch(2, map[string]any{"7": "x"})}
			},
			report: "patch seq 2 does not apply",
		},
		{
			name: "a gap on a WebSocket",
			script: func(s *fakeServer) [][]byte {
				return [][]byte{s.patch(3, diff.Diff(s.render(1), s.render(3)))}
			},
			report: "seq 3 after 1: a gap on a WebSocket",
		},
		{
			name: "a gap, then its next patch: one sync",
			script: func(s *fakeServer) [][]byte {
				return [][]byte{
					s.patch(3, diff.Diff(s.render(1), s.render(3))),
					s.patch(4, diff.Diff(s.render(3), s.render(4))),
				}
			},
			report: "seq 3 after 1: a gap on a WebSocket",
		},
		{
			name: "a tree that does not parse",
			script: func(s *fakeServer) [][]byte {
				return [][]byte{[]byte(`{"t":"tree","seq":2,"tree":{"s":["<p>","</p>"]}}`)}
			},
			report: "tree seq 2 does not parse",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := &errorsTB{TB: t}
			fake := newFakeServer(t, tc.script)
			p := livetest.Start(tb, fake).Open("/")

			require.NoError(t, p.WaitFor(func(html string) bool { return html == "<p>101</p>" }, 5*time.Second),
				"the page resynchronised with the tree that answered its sync")
			reported := tb.reported()
			require.NotEmpty(t, reported, "the test was failed")
			assert.Contains(t, reported[0], tc.report)
			assert.Contains(t, reported[0], "resynchronising")
			for _, r := range reported {
				assert.True(t, strings.HasPrefix(r, "livetest: page /: "), "%q names the page", r)
			}
			assert.Equal(t, []string{"join", "sync"}, fake.messages(), "one sync")
		})
	}
}

// A page that works is not reported: the fake server is right when its
// script is.
func TestFakeServerWithoutFaults(t *testing.T) {
	tb := &errorsTB{TB: t}
	fake := newFakeServer(t, func(s *fakeServer) [][]byte {
		return [][]byte{
			s.patch(2, diff.Diff(s.render(1), s.render(2))),
			s.patch(3, diff.Diff(s.render(2), s.render(3))),
		}
	})
	p := livetest.Start(tb, fake).Open("/")
	require.NoError(t, p.WaitFor(func(html string) bool { return html == "<p>3</p>" }, 5*time.Second))
	assert.Empty(t, tb.reported())
	assert.Equal(t, []string{"join"}, fake.messages())
}
