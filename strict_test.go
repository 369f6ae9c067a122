package livetemplate_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session"
)

type poll struct {
	Question string
	Options  []string
	Labels   map[string]string
}

func (*poll) Change(*livetemplate.ActionContext) error { return nil }

type vote struct{ Chosen string }

func (*vote) Change(*livetemplate.ActionContext) error { return nil }

// strictPage serves src, in strict mode or not, with a poll and a vote
// store, and returns the status and body of its GET and what was logged.
func strictPage(t *testing.T, src string, strict bool, stores ...livetemplate.Store) (int, string, string) {
	t.Helper()
	var logs testutil.Logs
	tmpl, err := livetemplate.New("poll", livetemplate.WithText(src), livetemplate.WithStrict(strict))
	require.NoError(t, err, "New reports nothing for a template that parses")
	if len(stores) == 0 {
		stores = []livetemplate.Store{&poll{Question: "Tea?", Options: []string{"yes", "no"}}, &vote{}}
	}
	h, err := on(t, livetemplate.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))).Mount(tmpl, stores...)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), logs.String()
}

// mountErr mounts src with stores on a new app and returns Mount's error.
func mountErr(t *testing.T, src string, strict bool, stores ...livetemplate.Store) error {
	t.Helper()
	tmpl, err := livetemplate.New("page.html", livetemplate.WithText(src), livetemplate.WithStrict(strict))
	require.NoError(t, err)
	_, err = on(t, livetemplate.WithLogger(quietLogger())).Mount(tmpl, stores...)
	return err
}

// The mistake of issue 10, and the others of issue 17: a template that
// reads what its stores do not have is refused when the page is mounted,
// with the position, the name and the type.
func TestMountRefusesTemplateMistakes(t *testing.T) {
	two := func() []livetemplate.Store { return []livetemplate.Store{&counter{}, &vote{}} }
	tests := []struct {
		name   string
		src    string
		stores []livetemplate.Store
		want   []string
	}{
		{"field of the store", `<body>{{.Cuont}}</body>`, []livetemplate.Store{&counter{}},
			[]string{"page.html:1:", "Cuont", "*livetemplate_test.counter"}},
		{"field of a store of several", `<body>{{.counter.Cuont}}</body>`, two(),
			[]string{"page.html:1:", "Cuont", "*livetemplate_test.counter"}},
		{"through with", "<body>\n{{with .counter}}{{.Cuont}}{{end}}</body>", two(),
			[]string{"page.html:2:", "Cuont", "*livetemplate_test.counter"}},
		{"a store the page lacks", `<body><ul>{{range .Options}}<li>{{.}}</li>{{end}}</ul></body>`, []livetemplate.Store{&poll{}, &vote{}},
			[]string{`no store named "Options"`, "poll", "vote"}},
		{"through a called template", `{{define "v"}}{{.Chosen}}{{.Picked}}{{end}}<body>{{template "v" .vote}}</body>`, two(),
			[]string{"Picked", "*livetemplate_test.vote"}},
		{"an action of no store", `<body><button lvt-click="cuonter.increment">+</button>{{.counter.Count}}</body>`, two(),
			[]string{`"cuonter"`, "counter", "vote"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := mountErr(t, strings.ReplaceAll(tc.src, `\n`, "\n"), true, tc.stores...)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "interface {}")
		})
	}
	assert.NoError(t, mountErr(t, `<body>{{.counter.Count}}{{with .vote}}{{.Chosen}}{{end}}</body>`, true, &counter{}, &vote{}),
		"valid templates mount")
	assert.NoError(t, mountErr(t, `<body>{{.Title}}{{.Count}}</body>`, true, &counter{}))
}

func TestStrictOffRendersAMissingStoreAsNothing(t *testing.T) {
	const src = `<body><ul>{{range .Options}}<li>{{.}}</li>{{end}}</ul></body>`
	status, body, _ := strictPage(t, src, false)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "<ul></ul>", "without strict mode the mistake renders nothing")
}

// New takes the template options, NewApp the serving options, and each
// refuses the other's with an error that names the right one.
func TestOptionsBelongToTheirConstructor(t *testing.T) {
	store := session.NewMemory(nil)
	t.Cleanup(func() { _ = store.Close() })
	_, err := livetemplate.New("x", livetemplate.WithText("x"), livetemplate.WithAuthenticator(auth.NewBasic("r", nil, nil)),
		livetemplate.WithSessionStore(store))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithAuthenticator configures how pages are served: pass it to NewApp")
	assert.Contains(t, err.Error(), "WithSessionStore")
	_, err = livetemplate.NewApp(livetemplate.WithText("x"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithText is a template option: pass it to New")
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

func ExampleApp_Mount() {
	// Written when the page had one store; the page now has two.
	tmpl := livetemplate.Must(livetemplate.New("poll", livetemplate.WithText(
		`<body>{{range .Options}}<button>{{.}}</button>{{end}}</body>`)))
	app, err := livetemplate.NewApp()
	if err != nil {
		panic(err)
	}
	defer app.Close()
	_, err = app.Mount(tmpl, &poll{Options: []string{"yes", "no"}}, &vote{})
	fmt.Println(err)
	// Output:
	// livetemplate: mount "poll": template poll:1:14: no store named "Options"; the page's data has: flash, poll, viewer, vote
}
