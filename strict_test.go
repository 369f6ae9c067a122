package livetemplate_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
)

type poll struct {
	Question string
	Options  []string
	Labels   map[string]string
}

func (*poll) Change(*livetemplate.ActionContext) error { return nil }

type vote struct{ Chosen string }

func (*vote) Change(*livetemplate.ActionContext) error { return nil }

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// strictPage serves src, in strict mode or not, with a poll and a vote
// store, and returns the status and body of its GET and what was logged.
func strictPage(t *testing.T, src string, strict bool, stores ...livetemplate.Store) (int, string, string) {
	t.Helper()
	var logs syncBuffer
	opts := []livetemplate.Option{livetemplate.WithText(src), livetemplate.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}
	if strict {
		opts = append(opts, livetemplate.WithStrict())
	}
	tmpl, err := livetemplate.New("poll", opts...)
	require.NoError(t, err, "New reports nothing for a template that parses")
	if len(stores) == 0 {
		stores = []livetemplate.Store{&poll{Question: "Tea?", Options: []string{"yes", "no"}}, &vote{}}
	}
	h := tmpl.Handle(stores...)
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), logs.String()
}

// The mistake of issue 10: a template written for one store, after the
// page got a second one.
func TestStrictNamesTheMissingStore(t *testing.T) {
	const src = `<body><ul>{{range .Options}}<li>{{.}}</li>{{end}}</ul></body>`

	status, body, _ := strictPage(t, src, false)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "<ul></ul>", "without strict mode the mistake renders nothing")

	status, body, logs := strictPage(t, src, true)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "internal error\n", body, "the page gets a safe message")
	assert.Contains(t, logs, `template \"poll\": no store named \"Options\"; the page's stores are: poll, vote`)
	assert.Contains(t, logs, "poll:1:18", "the log says where")
}

func TestStrictFindsEveryWayToTheData(t *testing.T) {
	tests := []struct {
		name string
		src  string
		key  string
	}{
		{name: "dollar in a range", src: `<body>{{range .poll.Options}}{{$.Votes}}{{end}}</body>`, key: "Votes"},
		{name: "field chain", src: `<body>{{.Poll.Question}}</body>`, key: "Poll"},
		{name: "if", src: `<body>{{if .Open}}open{{end}}</body>`, key: "Open"},
		{name: "with dot", src: `<body>{{with .}}{{.Question}}{{end}}</body>`, key: "Question"},
		{name: "else of a range", src: `<body>{{range .poll.Labels}}x{{else}}{{.Empty}}{{end}}</body>`, key: "Empty"},
		{name: "called template", src: `{{define "q"}}<p>{{.Question}}</p>{{end}}<body>{{template "q" .}}</body>`, key: "Question"},
		{name: "block", src: `<body>{{block "q" $}}<p>{{.Question}}</p>{{end}}</body>`, key: "Question"},
		{name: "argument", src: `<body>{{printf "%v" .Question}}</body>`, key: "Question"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, logs := strictPage(t, tc.src, true)
			assert.Equal(t, http.StatusInternalServerError, status)
			assert.Contains(t, logs, `no store named \"`+tc.key+`\"; the page's stores are: poll, vote`)
		})
	}
}

// A missing key of a map in a store is an error in strict mode, but not
// one about stores.
func TestStrictMissingKeysOfOtherMaps(t *testing.T) {
	stores := func() []livetemplate.Store {
		return []livetemplate.Store{&poll{Labels: map[string]string{"a": "A"}}, &vote{}}
	}
	tests := []struct {
		name string
		src  string
	}{
		{name: "a store's map", src: `<body>{{.poll.Labels.b}}</body>`},
		{name: "dot is that map", src: `<body>{{with .poll.Labels}}{{.b}}{{end}}</body>`},
		{name: "called with it", src: `{{define "l"}}{{.b}}{{end}}<body>{{template "l" .poll.Labels}}</body>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, logs := strictPage(t, tc.src, true, stores()...)
			assert.Equal(t, http.StatusInternalServerError, status)
			assert.Contains(t, logs, `map has no entry for key \"b\"`)
			assert.NotContains(t, logs, "no store named")
		})
	}
}

// Valid templates render the same with and without strict mode, and New
// reports nothing for them.
func TestStrictRendersValidTemplatesAsBefore(t *testing.T) {
	stores := func() []livetemplate.Store {
		return []livetemplate.Store{&poll{Question: "Tea?", Options: []string{"yes", "no"}, Labels: map[string]string{"yes": "Yes!"}}, &vote{Chosen: "yes"}}
	}
	srcs := []string{
		`<body><h1>{{.poll.Question}}</h1>{{range .poll.Options}}<p>{{.}} {{index $.poll.Labels .}}</p>{{end}}</body>`,
		`<body>{{with .vote}}{{.Chosen}}{{end}}{{if .poll.Options}}some{{end}}{{index .poll.Labels "maybe"}}</body>`,
		`{{define "v"}}<b>{{.Chosen}}</b>{{end}}<body>{{template "v" .vote}}{{template "v" $.vote}}</body>`,
	}
	for _, src := range srcs {
		_, plain, _ := strictPage(t, src, false, stores()...)
		status, strict, logs := strictPage(t, src, true, stores()...)
		assert.Equal(t, http.StatusOK, status, logs)
		assert.Equal(t, stripToken(plain), stripToken(strict))
		assert.NotContains(t, logs, "level=ERROR")
	}

	// One store: the data is the store; strict mode changes nothing there.
	status, body, logs := strictPage(t, `<body>{{.Question}}</body>`, true, &poll{Question: "Tea?"})
	assert.Equal(t, http.StatusOK, status, logs)
	assert.Contains(t, body, "Tea?")
}

// stripToken drops the page token, which differs on every render.
func stripToken(page string) string {
	return tokenRE.ReplaceAllString(strings.TrimSpace(page), "")
}

func ExampleWithStrict() {
	tmpl := livetemplate.Must(livetemplate.New("poll", livetemplate.WithStrict(), livetemplate.WithText(
		`<body>{{range .Options}}<button>{{.}}</button>{{end}}</body>`), // written for one store
		livetemplate.WithLogger(slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		})))))
	h := tmpl.Handle(&poll{Options: []string{"yes", "no"}}, &vote{})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output:
	// level=ERROR msg="render failed" component=livetemplate page=poll err="livetemplate: template \"poll\": no store named \"Options\"; the page's stores are: poll, vote (at poll:1:14)"
	// 500 Internal Server Error
}
