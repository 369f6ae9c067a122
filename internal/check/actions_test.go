package check_test

import (
	"html/template"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/check"
)

// actionData is what the templates of the Actions tests execute with.
func actionData() map[string]any {
	return map[string]any{"X": true, "Items": []int{1}, "A": "a", "B": "b", "Name": "n", "Kind": "click"}
}

var actionStores, actionReserved = []string{"todos", "view"}, []string{"lvt"}

func TestActionsValid(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{name: "double quotes", src: `<button lvt-click="todos.add">+</button>`},
		{name: "single quotes", src: `<form lvt-submit='view.filter'></form>`},
		{name: "unquoted", src: `<input lvt-input=todos.keep>`},
		{name: "upper case", src: `<button LVT-CLICK="todos.add" Lvt-Change = "view.x">`},
		{name: "reserved prefix", src: `<button lvt-click="lvt.dismiss">`},
		{name: "no dot", src: `<button lvt-click="increment"><button lvt-click=""><button lvt-click>`},
		{name: "value made by the template", src: `<button lvt-click="{{.A}}.x"><button lvt-click="x.{{.B}}"><button lvt-click="{{.Name}}"><button lvt-click={{.Name}}>`},
		{name: "name made by the template", src: `<button lvt-{{.Kind}}="x.y">`},
		{name: "value chosen by a branch", src: `<button lvt-click="{{if .X}}nope.a{{else}}nope.b{{end}}">`},
		{name: "attributes that name no action", src: `<button lvt-data-id="a.b" lvt-type-id="x.y" lvt-key="a.b" lvt-confirm="Sure. Really?" lvt-debounce="1.5" lvt-throttle="0.5" lvt-disable-with="Adding..." lvt-navigate="x.y" lvt-reset lvt-error="a.b" data-lvt-click="x.y">`},
		{name: "text, not a tag", src: `<p>Write lvt-click="nope.x" to bind a click; a < b lvt-click="nope.y"</p>`},
		{name: "inside another attribute's value", src: `<button title='lvt-click="nope.x"' data-x="a lvt-click=nope.y">`},
		{name: "comment", src: `<!-- <button lvt-click="nope.x"> -->`},
		{name: "script, style, textarea, title", src: `<title>lvt-click="nope.t" <b lvt-click="nope.t"></title><script>var s = '<b lvt-click="nope.x">';</script><style>b[lvt-click="nope.y"] {}</style><textarea><b lvt-click="nope.z"></textarea><button lvt-click="todos.ok">`},
		{name: "after template output in a tag", src: `<button class="a" {{if .X}}disabled{{end}} lvt-click="todos.add"><input {{if .X}}checked{{end}} lvt-change=view.x>`},
		{name: "every event attribute", src: `<div lvt-click-away="view.close" lvt-window-keydown="view.key" lvt-window-keyup="view.key" lvt-window-focus="view.f" lvt-window-blur="view.b" lvt-window-resize="view.r" lvt-window-scroll="view.s" lvt-focus="view.f" lvt-blur="view.b" lvt-keydown="view.k" lvt-keyup="view.k">`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parse(t, tc.src)
			require.NoError(t, check.Actions(tmpl, actionStores, actionReserved), "before escaping")
			require.NoError(t, tmpl.Execute(io.Discard, actionData()))
			assert.NoError(t, check.Actions(tmpl, actionStores, actionReserved), "after escaping")
		})
	}
}

func TestActionsInvalid(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []want // typ is always ""
	}{
		{name: "double quotes", src: `<button lvt-click="tods.add">`, want: []want{{"t:1:19", "tods.add", ""}}},
		{name: "single quotes", src: `<form lvt-submit='viwe.filter'>`, want: []want{{"t:1:18", "viwe.filter", ""}}},
		{name: "unquoted", src: `<input lvt-input=nope.keep>`, want: []want{{"t:1:17", "nope.keep", ""}}},
		{name: "spaces", src: `<input LVT-INPUT = " nope.keep ">`, want: []want{{"t:1:20", "nope.keep", ""}}},
		{name: "empty prefix", src: `<input lvt-input=".keep">`, want: []want{{"t:1:18", ".keep", ""}}},
		{name: "after template output in a tag", src: `<button class="a" {{if .X}}disabled{{end}} lvt-click="nope.add">`, want: []want{{"t:1:54", "nope.add", ""}}},
		{name: "in both branches", src: `{{if .X}}<a lvt-click="nope.a">{{else}}<b lvt-click="nope.b">{{end}}`,
			want: []want{{"t:1:23", "nope.a", ""}, {"t:1:53", "nope.b", ""}}},
		{name: "in range", src: `{{range .Items}}<li lvt-click="nope.del">{{end}}`, want: []want{{"t:1:31", "nope.del", ""}}},
		{name: "in a called template", src: `{{define "btn"}}<button lvt-click="nope.x">{{end}}{{template "btn" .}}{{template "btn" .}}`,
			want: []want{{"t:1:35", "nope.x", ""}}},
		{name: "in a template called in a tag", src: `{{define "attrs"}} lvt-click="nope.x"{{end}}<button{{template "attrs"}}>`,
			want: []want{{"t:1:30", "nope.x", ""}}},
		{name: "on later lines", src: "<div>\n  <button\n    lvt-click=\"nope.x\">\n</div>", want: []want{{"t:3:15", "nope.x", ""}}},
		{name: "after a dynamic attribute", src: `<a href="/{{.A}}" lvt-click="nope.x">`, want: []want{{"t:1:29", "nope.x", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parse(t, tc.src)
			assert.Equal(t, tc.want, errorsOf(t, check.Actions(tmpl, actionStores, actionReserved)), "before escaping")
			require.NoError(t, tmpl.Execute(io.Discard, actionData()))
			assert.Equal(t, tc.want, errorsOf(t, check.Actions(tmpl, actionStores, actionReserved)), "after escaping")
		})
	}
}

func TestActionsEveryEventAttribute(t *testing.T) {
	for _, attr := range []string{
		"lvt-click", "lvt-submit", "lvt-change", "lvt-input", "lvt-keydown", "lvt-keyup", "lvt-focus", "lvt-blur",
		"lvt-click-away", "lvt-window-keydown", "lvt-window-keyup", "lvt-window-focus", "lvt-window-blur",
		"lvt-window-resize", "lvt-window-scroll",
	} {
		tmpl := parse(t, `<div `+attr+`="nope.x">`)
		assert.Equal(t, []want{{"t:1:" + itoa(len(attr)+7), "nope.x", ""}}, errorsOf(t, check.Actions(tmpl, actionStores, nil)), attr)
	}
}

func TestActionsError(t *testing.T) {
	tmpl := parse(t, `<button lvt-click="tods.add">`)
	err := check.Actions(tmpl, []string{"todos", "view"}, nil)
	var e *check.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, &check.Error{
		Pos:     "t:1:19",
		Context: `lvt-click="tods.add"`,
		Name:    "tods.add",
		Msg:     `lvt-click="tods.add": no store named "tods"; the page's stores are: todos, view`,
	}, e)
	assert.EqualError(t, err, `template t:1:19: lvt-click="tods.add": no store named "tods"; the page's stores are: todos, view`)

	err = check.Actions(tmpl, nil, nil)
	assert.EqualError(t, err, `template t:1:19: lvt-click="tods.add": no store named "tods"; the page has no stores`)
}

func TestActionsFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "page.html", "<ul>\n{{range .Items}}{{template \"item\" .}}{{end}}</ul>\n<button lvt-click=\"nope.clear\">")
	writeFile(t, dir, "item.html", "{{define \"item\"}}\n<li lvt-click=\"nope.del\">{{.}}</li>{{end}}")
	tmpl, err := template.New("page.html").ParseFiles(dir+"/page.html", dir+"/item.html")
	require.NoError(t, err)
	assert.Equal(t, []want{{"page.html:3:19", "nope.clear", ""}, {"item.html:2:15", "nope.del", ""}},
		errorsOf(t, check.Actions(tmpl, actionStores, nil)))
	assert.NoError(t, check.Actions(nil, nil, nil))
}
