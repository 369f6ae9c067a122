package form_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/form"
)

// data builds an action's data from JSON, as the client sends it.
func data(tb testing.TB, js string) map[string]json.RawMessage {
	tb.Helper()
	var m map[string]json.RawMessage
	require.NoError(tb, json.Unmarshal([]byte(js), &m))
	return m
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want string
		ok   bool
	}{
		{name: "string", raw: `"hello"`, want: "hello", ok: true},
		{name: "string kept as typed", raw: `"  two words "`, want: "  two words ", ok: true},
		{name: "escaped string", raw: `"a\"b\u00e9"`, want: `a"bé`, ok: true},
		{name: "empty string", raw: `""`, want: "", ok: true},
		{name: "integer as written", raw: `42`, want: "42", ok: true},
		{name: "negative float as written", raw: `-1.50`, want: "-1.50", ok: true},
		{name: "true", raw: `true`, want: "true", ok: true},
		{name: "false", raw: `false`, want: "false", ok: true},
		{name: "array: its first value", raw: `["a","b"]`, want: "a", ok: true},
		{name: "array of numbers", raw: `[7,8]`, want: "7", ok: true},
		{name: "nested array", raw: `[["x"]]`, want: "x", ok: true},
		{name: "empty array", raw: `[]`, ok: false},
		{name: "array starting with null", raw: `[null,"a"]`, ok: false},
		{name: "null", raw: `null`, ok: false},
		{name: "object", raw: `{"a":1}`, ok: false},
		{name: "missing", raw: ``, ok: false},
		{name: "broken string", raw: `"abc`, ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := form.Text(json.RawMessage(tc.raw))
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestTexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{name: "one string", raw: `"a"`, want: []string{"a"}},
		{name: "one number", raw: `3`, want: []string{"3"}},
		{name: "array of each kind, nulls and objects left out", raw: `["a",1,true,null,{"x":1},"b"]`, want: []string{"a", "1", "true", "b"}},
		{name: "empty array", raw: `[]`, want: nil},
		{name: "null", raw: `null`, want: nil},
		{name: "object", raw: `{}`, want: nil},
		{name: "missing", raw: ``, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := form.Texts(json.RawMessage(tc.raw))
			if len(tc.want) == 0 {
				assert.Empty(t, got, "none")
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    int
		wantErr bool
	}{
		{name: "string", data: `{"n":"42"}`, want: 42},
		{name: "string with spaces", data: `{"n":" -7 "}`, want: -7},
		{name: "number", data: `{"n":42}`, want: 42},
		{name: "array", data: `{"n":["5","6"]}`, want: 5},
		{name: "fraction", data: `{"n":"4.2"}`, wantErr: true},
		{name: "number with a fraction", data: `{"n":4.0}`, wantErr: true},
		{name: "letters", data: `{"n":"abc"}`, wantErr: true},
		{name: "boolean", data: `{"n":true}`, wantErr: true},
		{name: "null", data: `{"n":null}`, wantErr: true},
		{name: "empty", data: `{"n":""}`, wantErr: true},
		{name: "missing", data: `{}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, err := form.Int(data(t, tc.data), "n")
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, tc.want, n)
				return
			}
			var fe *form.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "n", fe.Field)
			assert.Equal(t, "must be a whole number", fe.Message)
			assert.Equal(t, "n: must be a whole number", err.Error())
			assert.Zero(t, n)
		})
	}
}

func TestFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    float64
		wantErr bool
	}{
		{name: "string", data: `{"price":"9.95"}`, want: 9.95},
		{name: "number", data: `{"price":1e3}`, want: 1000},
		{name: "integer", data: `{"price":"3"}`, want: 3},
		{name: "spaces", data: `{"price":" 0.5 "}`, want: 0.5},
		{name: "letters", data: `{"price":"cheap"}`, wantErr: true},
		{name: "object", data: `{"price":{}}`, wantErr: true},
		{name: "missing", data: `{}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := form.Float(data(t, tc.data), "price")
			if !tc.wantErr {
				require.NoError(t, err)
				assert.InDelta(t, tc.want, f, 1e-9)
				return
			}
			var fe *form.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, &form.FieldError{Field: "price", Message: "must be a number"}, fe)
		})
	}
}

func TestBool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want bool
	}{
		{raw: `true`, want: true},
		{raw: `"on"`, want: true},
		{raw: `"true"`, want: true},
		{raw: `"TRUE"`, want: true},
		{raw: `" yes "`, want: true},
		{raw: `"1"`, want: true},
		{raw: `1`, want: true},
		{raw: `"checked"`, want: true},
		{raw: `["on"]`, want: true},
		{raw: `false`, want: false},
		{raw: `"off"`, want: false},
		{raw: `"0"`, want: false},
		{raw: `""`, want: false},
		{raw: `"y"`, want: false},
		{raw: `2`, want: false},
		{raw: `null`, want: false},
		{raw: `{}`, want: false},
		{raw: ``, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, form.Bool(json.RawMessage(tc.raw)))
		})
	}
}

type signup struct {
	Name     string   `lvt:"full-name"`
	Email    string   `json:"e-mail,omitempty"`
	Age      int      // by its own name
	Small    int8     `json:"small"`
	Count    uint16   `json:"count"`
	Score    float64  `json:"score"`
	Ratio    float32  `json:"ratio"`
	Agree    bool     `json:"agree"`
	Tags     []string `json:"tags"`
	Ignored  string   `json:"-"`
	Hidden   string   `lvt:"-"`
	Kept     string   `json:"kept"`
	JSONName string   `lvt:"" json:"json-name"` // an empty lvt tag falls back to json
	private  string
}

func TestBindFillsEachKind(t *testing.T) {
	t.Parallel()
	s := signup{Kept: "unchanged", Ignored: "i", Hidden: "h", private: "p"}
	err := form.Bind(data(t, `{
		"FULL-NAME": " Ada Lovelace ",
		"E-Mail": "ada@example.com",
		"age": 36,
		"small": "-12",
		"count": " 65535 ",
		"score": "9.5",
		"ratio": 0.25,
		"agree": "on",
		"tags": ["math", 1, null, "poetry"],
		"Ignored": "x", "-": "y", "Hidden": "z",
		"json-name": "j",
		"private": "no"
	}`), &s)
	require.NoError(t, err)
	assert.Equal(t, signup{
		Name:     " Ada Lovelace ", // strings as typed
		Email:    "ada@example.com",
		Age:      36,
		Small:    -12,
		Count:    65535,
		Score:    9.5,
		Ratio:    0.25,
		Agree:    true,
		Tags:     []string{"math", "1", "poetry"},
		Ignored:  "i",
		Hidden:   "h",
		Kept:     "unchanged",
		JSONName: "j",
		private:  "p",
	}, s)
}

func TestBindSingleValueToSlice(t *testing.T) {
	t.Parallel()
	var s signup
	require.NoError(t, form.Bind(data(t, `{"tags":"only"}`), &s))
	assert.Equal(t, []string{"only"}, s.Tags)
}

func TestBindConversionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		field   string
		message string
	}{
		{name: "int from letters", data: `{"Age":"old"}`, field: "Age", message: "must be a whole number"},
		{name: "int8 overflow", data: `{"small":"300"}`, field: "small", message: "must be a whole number"},
		{name: "uint from a negative", data: `{"count":"-1"}`, field: "count", message: "must be a whole number, zero or more"},
		{name: "uint16 overflow", data: `{"count":70000}`, field: "count", message: "must be a whole number, zero or more"},
		{name: "float from letters", data: `{"score":"high"}`, field: "score", message: "must be a number"},
		{name: "the key as the client sent it", data: `{"AGE":"x"}`, field: "AGE", message: "must be a whole number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var s signup
			err := form.Bind(data(t, tc.data), &s)
			var fe *form.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.Equal(t, tc.message, fe.Message)
		})
	}
}

func TestBindUnsupportedFieldTypes(t *testing.T) {
	t.Parallel()
	type withMap struct {
		Meta map[string]string `json:"meta"`
	}
	type withInts struct {
		IDs []int `json:"ids"`
	}
	type withStruct struct {
		Address struct{ City string } `json:"address"`
	}
	tests := []struct {
		name string
		v    any
		data string
		want string
	}{
		{name: "map", v: &withMap{}, data: `{"meta":{"a":"b"}}`, want: `bind "meta": unsupported field type map[string]string`},
		{name: "slice of ints", v: &withInts{}, data: `{"ids":[1,2]}`, want: `bind "ids": unsupported field type []int`},
		{name: "struct", v: &withStruct{}, data: `{"address":"x"}`, want: `bind "address": unsupported field type struct`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := form.Bind(data(t, tc.data), tc.v)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var fe *form.FieldError
			assert.False(t, errors.As(err, &fe), "a programming error, not the user's")
		})
	}
	t.Run("missing key", func(t *testing.T) {
		t.Parallel()
		assert.NoError(t, form.Bind(data(t, `{}`), &withMap{}), "fields whose key is missing are not looked at")
	})
}

func TestBindNeedsAPointerToAStruct(t *testing.T) {
	t.Parallel()
	var nilPtr *signup
	n := 3
	for _, tc := range []struct {
		name string
		v    any
	}{
		{name: "nil", v: nil},
		{name: "struct value", v: signup{}},
		{name: "nil pointer", v: nilPtr},
		{name: "pointer to int", v: &n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := form.Bind(data(t, `{"Age":"1"}`), tc.v)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "need a non-nil pointer to a struct")
		})
	}
}

func ExampleBind() {
	var todo struct {
		Title string   `lvt:"title"`
		Done  bool     `json:"done"`
		Due   int      `json:"due"`
		Tags  []string `json:"tags"`
	}
	// What a form sends: strings as typed, a checkbox, several values.
	msg := `{"Title":"Write tests","done":"on","due":"3","tags":["go","ci"]}`
	var d map[string]json.RawMessage
	_ = json.Unmarshal([]byte(msg), &d)
	if err := form.Bind(d, &todo); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", todo)

	_, err := form.Int(map[string]json.RawMessage{"due": json.RawMessage(`"soon"`)}, "due")
	fmt.Println(err)
	// Output:
	// {Title:Write tests Done:true Due:3 Tags:[go ci]}
	// due: must be a whole number
}
