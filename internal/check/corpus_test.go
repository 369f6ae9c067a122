package check_test

import (
	"html/template"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/internal/check"
)

// The guides' stores are declared in their _test.go files, which cannot be
// imported: these are copies of what their templates read.
type (
	guideReply struct {
		Name   string
		Guests int
		Diet   []string
	}
	guideRSVP struct {
		Capacity int
		Replies  []guideReply
	}
	guidePage    struct{ ShowAll bool }
	guideMessage struct{ From, Text string }
	guideRoom    struct {
		Name     string
		Messages []guideMessage
		Online   map[string]int
	}
	guidePrefs  struct{ Muted bool }
	guideLayout struct{ Compact bool }
	guideDraft  struct{ Text string }
	guideIdea   struct {
		ID    int
		Text  string
		Votes int
	}
	guideBoard struct {
		Items  []guideIdea
		NextID int
	}
	guideView    struct{ By string }
	guideCounter struct{ Count int }
)

func (r *guideRSVP) Seats() int                    { return len(r.Replies) }
func (b *guideBoard) Sorted(by string) []guideIdea { return b.Items }

var viewerType = reflect.TypeFor[livetemplate.Viewer]()

// corpus is templates of the guides, with copies of their stores' types:
// every one must pass both checks, and execute. (The examples' templates
// are checked where their own tests mount them: App.Mount runs both
// checks.)
var corpus = []struct {
	file   string // from the module's root
	data   check.Data
	stores []string
	value  any
}{
	{
		file:   "docs/guides/start/counter.html",
		data:   check.Data{Store: reflect.TypeFor[*guideCounter]()},
		stores: []string{"counter"},
		value:  &guideCounter{},
	},
	{
		file: "docs/guides/actions/rsvp.html",
		data: check.Data{StrictKeys: true, Map: map[string]reflect.Type{
			"rsvp": reflect.TypeFor[*guideRSVP](), "page": reflect.TypeFor[*guidePage](), "viewer": viewerType,
		}},
		stores: []string{"rsvp", "page"},
		value: map[string]any{
			"rsvp":   &guideRSVP{Capacity: 3, Replies: []guideReply{{Name: "ann", Guests: 1}}},
			"page":   &guidePage{ShowAll: true},
			"viewer": livetemplate.Viewer{},
		},
	},
	{
		file: "docs/guides/groups/room.html",
		data: check.Data{StrictKeys: true, Map: map[string]reflect.Type{
			"room": reflect.TypeFor[*guideRoom](), "prefs": reflect.TypeFor[*guidePrefs](),
			"layout": reflect.TypeFor[*guideLayout](), "draft": reflect.TypeFor[*guideDraft](), "viewer": viewerType,
		}},
		stores: []string{"room", "prefs", "layout", "draft"},
		value: map[string]any{
			"room":   &guideRoom{Name: "r", Messages: []guideMessage{{From: "ann", Text: "hi"}}},
			"prefs":  &guidePrefs{},
			"layout": &guideLayout{},
			"draft":  &guideDraft{},
			"viewer": livetemplate.Viewer{UserID: "ann"},
		},
	},
	{
		file: "docs/guides/templates/ideas.html",
		data: check.Data{StrictKeys: true, Map: map[string]reflect.Type{
			"board": reflect.TypeFor[*guideBoard](), "view": reflect.TypeFor[*guideView](), "viewer": viewerType,
		}},
		stores: []string{"board", "view"},
		value: map[string]any{
			"board":  &guideBoard{Items: []guideIdea{{ID: 1, Text: "x"}}},
			"view":   &guideView{By: "votes"},
			"viewer": livetemplate.Viewer{},
		},
	},
}

func TestCorpus(t *testing.T) {
	for _, tc := range corpus {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("..", "..", filepath.FromSlash(tc.file))
			tmpl, err := template.New(filepath.Base(path)).ParseFiles(path)
			require.NoError(t, err)
			if tc.data.StrictKeys {
				tmpl.Option("missingkey=error")
			}
			require.NoError(t, check.Types(tmpl, tc.data, nil), "before escaping")
			require.NoError(t, check.Actions(tmpl, tc.stores, nil), "before escaping")
			require.NoError(t, tmpl.Execute(io.Discard, tc.value), "the template executes")
			assert.NoError(t, check.Types(tmpl, tc.data, nil), "after escaping")
			assert.NoError(t, check.Actions(tmpl, tc.stores, nil), "after escaping")
		})
	}
}

// TestCorpusMistakes adds mistakes to each of the corpus's pages that has
// several stores, in a template the page calls: they are found.
func TestCorpusMistakes(t *testing.T) {
	for _, tc := range corpus {
		if tc.data.Map == nil {
			continue
		}
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(tc.file)))
			require.NoError(t, err)
			store := tc.stores[0]
			text := string(src) + "\n{{define \"mistakes\"}}{{." + store + ".Nope}}{{.nostore}}<a lvt-click=\"nostore.x\">{{end}}{{template \"mistakes\" .}}"
			name := filepath.Base(tc.file)
			tmpl, err := template.New(name).Parse(text)
			require.NoError(t, err)
			line := itoa(strings.Count(string(src), "\n") + 2)
			assert.Equal(t, []want{
				{name + ":" + line + ":" + itoa(24+len(store)), "." + store + ".Nope", tc.data.Map[store].String()},
				{name + ":" + line + ":" + itoa(33+len(store)), ".nostore", "map[string]interface {}"},
			}, errorsOf(t, check.Types(tmpl, tc.data, nil)))
			assert.Equal(t, []want{{name + ":" + line + ":" + itoa(57+len(store)), "nostore.x", ""}}, errorsOf(t, check.Actions(tmpl, tc.stores, nil)))
		})
	}
}
