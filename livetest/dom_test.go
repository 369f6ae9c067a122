package livetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCastFollowsTheClient(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		typ  string
		want any
	}{
		{name: "integer", in: "42", typ: "number", want: 42.0},
		{name: "spaces and exponent", in: " 1e3 ", typ: "number", want: 1000.0},
		{name: "negative fraction", in: "-0.5", typ: "number", want: -0.5},
		{name: "empty stays a string", in: "", typ: "number", want: ""},
		{name: "text stays a string", in: "abc", typ: "number", want: "abc"},
		{name: "infinity stays a string", in: "Infinity", typ: "number", want: "Infinity"},
		{name: "false", in: "false", typ: "boolean", want: false},
		{name: "OFF", in: " OFF ", typ: "boolean", want: false},
		{name: "zero", in: "0", typ: "bool", want: false},
		{name: "empty is false", in: "", typ: "boolean", want: false},
		{name: "yes", in: "yes", typ: "boolean", want: true},
		{name: "untyped", in: "007", typ: "", want: "007"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, cast(tc.in, tc.typ))
		})
	}
}

func TestSelectDefaults(t *testing.T) {
	doc := parse(`<select id="none"><option disabled>a</option><option>  b
	  c </option></select>
	<select id="two"><option selected value="1">1</option><option selected value="2">2</option></select>
	<select id="multi" multiple><option value="x">x</option></select>`)
	get := func(sel string) []option {
		all, err := selectAll(doc, sel)
		require.NoError(t, err)
		require.Len(t, all, 1)
		return options(all[0])
	}
	assert.Equal(t, []option{{value: "a", disabled: true}, {value: "b c", selected: true}}, get("#none"),
		"the first option that is not disabled; the value is the text, spaces collapsed")
	assert.Equal(t, []option{{value: "1"}, {value: "2", selected: true}}, get("#two"), "the last one marked")
	assert.Equal(t, []option{{value: "x"}}, get("#multi"), "a multiple select may select nothing")
}

func TestFormKeyIsStableAcrossRenders(t *testing.T) {
	key := func(src, sel string) string {
		doc := parse(src)
		all, err := selectAll(doc, sel)
		require.NoError(t, err)
		require.Len(t, all, 1)
		return formKey(doc, all[0])
	}
	before := key(`<ul id="items"><li data-key="1"><form lvt-submit="save"></form></li></ul>`, "form")
	after := key(`<ul id="items"><li data-key="0"></li><li data-key="1"><form lvt-submit="save"></form></li></ul>`, `[data-key="1"] form`)
	assert.Equal(t, before, after, "an item added before does not change the form's key")
	assert.NotEqual(t,
		key(`<form lvt-submit="a"></form><form lvt-submit="a"></form>`, "form + form"),
		key(`<form lvt-submit="a"></form><form lvt-submit="a"></form>`, "form:first-child"))
}

func TestShowsCutsLongPages(t *testing.T) {
	long := "<html><head><title>t</title></head><body>" + string(make([]byte, 2*maxShown)) + "</body></html>"
	got := shows(long)
	assert.True(t, len(got) <= maxShown+len("…"))
	assert.Equal(t, "<body>", got[:6], "the body is what a failure shows")
	assert.Contains(t, shows(""), "no tree")
}
