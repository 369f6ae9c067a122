package diff

import (
	"html/template"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Footprint counts what a tree holds on its own: a tree with more or longer
// dynamics weighs more; the statics it shares with its template, nothing.
func TestFootprintCountsDynamicsNotStatics(t *testing.T) {
	compile := func(src string) *Template {
		ct, err := Compile(template.Must(template.New("").Parse(src)))
		require.NoError(t, err)
		return ct
	}
	const src = `<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`
	ct := compile(src)
	foot := func(data []string) int { return render(t, ct, src, data).Footprint() }
	none := foot([]string{})
	one := foot([]string{"a"})
	two := foot([]string{"a", "b"})
	long := foot([]string{"a", strings.Repeat("b", 1000)})
	assert.Greater(t, one, none)
	assert.Equal(t, two-one, one-none, "each item of one letter weighs alike")
	assert.Equal(t, 999, long-two, "a text weighs its bytes")
	wide := `<ul>{{range .}}<li class="` + strings.Repeat("x", 1000) + `">{{.}}</li>{{end}}</ul>`
	assert.Equal(t, one, render(t, compile(wide), wide, []string{"a"}).Footprint(), "statics are the template's, not the tree's")
	assert.Zero(t, (*Tree)(nil).Footprint())
}
