package diff

import (
	"encoding/json"
	"html/template"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTextPatchWireForm checks when a changed text travels as [n, "suffix"]
// (docs/protocol.md §2.1): only when strictly shorter than the string, with n
// in UTF-16 code units of the text the client decoded, never inside a
// character. The text is inserted as is (template.HTML), so it is exactly
// the dynamic.
func TestTextPatchWireForm(t *testing.T) {
	const src = `<p>{{.}}</p>`
	ct := mustCompile(t, nil, src)
	tests := []struct {
		name      string
		old, new  string
		wantPatch string
	}{
		{name: "append", old: "task 501", new: "task 501!", wantPatch: `{"0":[8,"!"]}`},
		{name: "replace the end", old: "Hello, world", new: "Hello, there", wantPatch: `{"0":[7,"there"]}`},
		{name: "cut short", old: "Hello, world", new: "Hello", wantPatch: `{"0":[5,""]}`},
		{name: "as long as the string", old: "abcd", new: "abcde", wantPatch: `{"0":"abcde"}`},
		{name: "one byte shorter", old: "abcde", new: "abcdef", wantPatch: `{"0":[5,"f"]}`},
		{name: "short prefix", old: "abc", new: "abcd", wantPatch: `{"0":"abcd"}`},
		{name: "nothing in common", old: "1000", new: "999", wantPatch: `{"0":"999"}`},
		{name: "accents count one unit", old: "Größe ✓ 日本語", new: "Größe ✓ 日本語!", wantPatch: `{"0":[11,"!"]}`},
		{name: "an emoji counts two units", old: "hello 😀 world", new: "hello 😀 there", wantPatch: `{"0":[9,"there"]}`},
		// 😀 and 😁 share three of their four bytes: the cut goes before.
		{name: "no cut inside a character", old: "hello 😀", new: "hello 😁", wantPatch: `{"0":[6,"😁"]}`},
		{name: "entity split", old: "Tom &amp; Jerry &amp; friends", new: "Tom &amp; Jerry &lt; friends", wantPatch: `{"0":[17,"lt; friends"]}`},
		{name: "escaped prefix", old: `say "hello" now`, new: `say "hello" later`, wantPatch: `{"0":[12,"later"]}`},
		{name: "U+2028 is one unit", old: "line\u2028sep", new: "line\u2028separated", wantPatch: `{"0":[8,"arated"]}`},
		// Each invalid byte travels as one U+FFFD: one unit.
		{name: "invalid bytes", old: "ok \xff\xfe, then", new: "ok \xff\xfe, now", wantPatch: `{"0":[7,"now"]}`},
		{name: "invalid then valid", old: "abcdef\xe2\x82X", new: "abcdef\xe2\x82\xac", wantPatch: `{"0":[6,"€"]}`},
		{name: "valid then invalid", old: "abcdef\xe2\x82\xac", new: "abcdef\xe2\x82X", wantPatch: `{"0":[6,"\ufffd\ufffdX"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := render(t, ct, src, template.HTML(tc.old))
			next := render(t, ct, src, template.HTML(tc.new))
			patch := mustJSON(t, Diff(prev, next))
			assert.Equal(t, tc.wantPatch, string(patch))

			client, err := ParseTree(mustJSON(t, prev))
			require.NoError(t, err)
			got, err := client.Apply(patch)
			require.NoError(t, err, "Apply(%s)", patch)
			assert.Equal(t, wireHTML(next), got.HTML())
		})
	}
}

// TestApplyRejectsMalformedTextPatches: n is an integer from 1 to the old
// text's length in UTF-16 code units that does not cut a character in two,
// and a text patch applies to text only.
func TestApplyRejectsMalformedTextPatches(t *testing.T) {
	const src = `<p>{{.T}}</p>{{if .B}}<b>{{.T}}</b>{{end}}<ul>{{range .L}}<li>{{.}}</li>{{end}}</ul>`
	ct := mustCompile(t, nil, src)
	server := render(t, ct, src, kv("T", "a😀b", "B", true, "L", []string{"x"}))
	tree, err := ParseTree(mustJSON(t, server))
	require.NoError(t, err)
	for _, patch := range []string{
		`{"0":[0,"y"]}`,
		`{"0":[-0,"y"]}`,
		`{"0":[-1,"y"]}`,
		`{"0":[5,"y"]}`, // "a😀b" has 4 units
		`{"0":[2,"y"]}`, // inside 😀
		`{"0":[1.0,"y"]}`,
		`{"0":[1e0,"y"]}`,
		`{"0":[0.5,"y"]}`,
		`{"0":[1e400,"y"]}`,
		`{"0":[9223372036854775807,"y"]}`,
		`{"0":["1","y"]}`,
		`{"0":[1,2]}`,
		`{"0":[1,null]}`,
		`{"0":[1,["y"]]}`,
		`{"0":[1,"y","z"]}`,
		`{"0":[1]}`,
		`{"0":[]}`,
		`{"0":[[1,"y"]]}`,
		`{"1":[1,"y"]}`,
		`{"1":{"0":[9,"y"]}}`,
	} {
		got, err := applySafely(t, tree, patch)
		assert.ErrorIs(t, err, ErrProtocol, "Apply(%s)", patch)
		assert.Nil(t, got)
	}
	for patch, want := range map[string]string{
		`{"0":[1,"y"]}`:       "ay",
		`{"0":[3,""]}`:        "a😀",
		`{"0":[4,"!"]}`:       "a😀b!",
		`{"1":{"0":[3,"!"]}}`: "a😀!",
	} {
		got, err := tree.Apply([]byte(patch))
		require.NoError(t, err, "Apply(%s)", patch)
		assert.Contains(t, got.HTML(), want+"</", "Apply(%s)", patch)
	}
}

// FuzzTextPatch checks the text patch of any two texts, invalid UTF-8
// included: it is never longer than the string, and both the Go client and
// a client that counts in UTF-16 code units, as JavaScript does, rebuild the
// new text the wire form carries.
func FuzzTextPatch(f *testing.F) {
	for _, s := range [][2]string{
		{"task 501", "task 501!"},
		{"hello 😀", "hello 😁"},
		{"abcdef\xe2\x82X", "abcdef\xe2\x82\xac"},
		{"ok \xff\xfe, then", "ok \xff\xfe, now"},
		{"line\u2028sep", "line\u2028separated"},
		{"Tom &amp; Jerry", "Tom &amp; Jerry &lt;"},
		{"\xed\xa0\x80\xed\xb0\x80 pair", "\xed\xa0\x80\xed\xb0\x80 pairs"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, o, n string) {
		if o == n {
			return
		}
		value := appendText(nil, o, n)
		whole := appendString(nil, n)
		if len(value) > len(whole) {
			t.Fatalf("%s is longer than %s", value, whole)
		}
		var old, want string // what a client holds: the JSON-decoded texts
		require.NoError(t, json.Unmarshal(appendString(nil, o), &old))
		require.NoError(t, json.Unmarshal(whole, &want))

		var v any
		require.NoError(t, decodeInto(value, &v))
		arr, isPatch := v.([]any)
		if !isPatch {
			assert.Equal(t, string(whole), string(value))
			return
		}
		d, err := textPatch(old, arr, "/0")
		require.NoError(t, err, "textPatch(%q, %s)", old, value)
		assert.Equal(t, want, d.text, "Go client: %s", value)

		// A JavaScript client: old.slice(0, n) + suffix, in UTF-16 code units.
		units := utf16.Encode([]rune(old))
		count, _ := arr[0].(json.Number).Int64()
		require.LessOrEqual(t, int(count), len(units))
		js := append(units[:count:count], utf16.Encode([]rune(arr[1].(string)))...)
		assert.Equal(t, utf16.Encode([]rune(want)), js, "UTF-16 client: %s", value)
		if last := units[count-1]; last >= 0xd800 && last < 0xdc00 {
			t.Fatalf("%s cuts a surrogate pair of %q", value, old)
		}
	})
}

// decodeInto decodes one JSON value with numbers kept as json.Number, as
// the Go client reads messages.
func decodeInto(data []byte, v *any) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	return dec.Decode(v)
}
