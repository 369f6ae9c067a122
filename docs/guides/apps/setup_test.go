package apps

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/livetest"
)

var update = flag.Bool("update", false, "rewrite testdata/setup.txt")

// mistakenly returns the shop's template name with old replaced by new.
func mistakenly(t *testing.T, name, old, new string) *livetemplate.Template {
	t.Helper()
	src, err := files.ReadFile(name)
	require.NoError(t, err)
	page := strings.Replace(string(src), old, new, 1)
	if old != new {
		require.NotEqual(t, string(src), page, old)
	}
	layout, err := files.ReadFile("layout.html")
	require.NoError(t, err)
	tmpl, err := livetemplate.New(name, livetemplate.WithText(page+string(layout)))
	require.NoError(t, err)
	return tmpl
}

// page returns the shop's template name, as it is.
func page(t *testing.T, name string) *livetemplate.Template {
	t.Helper()
	return mistakenly(t, name, "", "")
}

// The mistakes docs/apps.md shows are refused at setup, with the messages of
// testdata/setup.txt.
func TestSetupMistakes(t *testing.T) {
	orders := func() livetemplate.Store { return livetemplate.Named("orders", &Orders{}) }
	filter := func() livetemplate.Store { return livetemplate.Named("filter", livetemplate.PerConnection(&Filter{})) }
	tests := []struct {
		name  string
		setup func(app *livetemplate.App) error
	}{
		{"a serving option given to New", func(*livetemplate.App) error {
			_, err := livetemplate.New("list.html", livetemplate.WithFS(files, "layout.html", "list.html"),
				livetemplate.WithAuthenticator(auth.NewBasic("shop", nil, nil)))
			return err
		}},
		{"a field the store lacks", func(app *livetemplate.App) error {
			_, err := app.Mount(mistakenly(t, "list.html", "({{.Status}})", "({{.State}})"), orders(), filter())
			return err
		}},
		{"an action of no store", func(app *livetemplate.App) error {
			_, err := app.Mount(mistakenly(t, "order.html", `lvt-click="orders.cancel"`, `lvt-click="order.cancel"`),
				orders(), livetemplate.Named("page", livetemplate.PerConnection(&OrderPage{})))
			return err
		}},
		{"a shared store of another scope", func(app *livetemplate.App) error {
			if _, err := app.Mount(page(t, "new.html"), orders()); err != nil {
				return err
			}
			_, err := app.Mount(page(t, "list.html"), livetemplate.Named("orders", livetemplate.PerUser(&Orders{})), filter())
			return err
		}},
		{"a shared store that starts otherwise", func(app *livetemplate.App) error {
			if _, err := app.Mount(page(t, "new.html"), orders()); err != nil {
				return err
			}
			_, err := app.Mount(page(t, "list.html"), livetemplate.Named("orders", &Orders{NextID: 100}), filter())
			return err
		}},
		{"a reserved name", func(app *livetemplate.App) error {
			_, err := app.Mount(page(t, "new.html"), orders(), livetemplate.Named("flash", &Filter{}))
			return err
		}},
	}
	var got []string
	for _, tc := range tests {
		err := tc.setup(livetest.App(t))
		require.Error(t, err, tc.name)
		got = append(got, err.Error())
	}
	text := strings.Join(got, "\n") + "\n"
	if *update {
		require.NoError(t, os.WriteFile("testdata/setup.txt", []byte(text), 0o644))
	}
	want, err := os.ReadFile("testdata/setup.txt")
	require.NoError(t, err)
	assert.Equal(t, string(want), text)
}
