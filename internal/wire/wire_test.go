package wire

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		want    Message
	}{
		{name: "action", in: `{"t":"action","ref":3,"name":"todos.add","data":{"title":"007"}}`,
			want: Message{T: "action", Ref: 3, RawRef: json.RawMessage("3"), Name: "todos.add", Data: map[string]json.RawMessage{"title": json.RawMessage(`"007"`)}}},
		{name: "join", in: `{"t":"join","token":"abc","seq":4}`, want: Message{T: "join", Token: "abc", Seq: 4}},
		{name: "not json", in: `{"t":`, wantErr: true},
		{name: "unknown type", in: `{"t":"nope"}`, wantErr: true},
		{name: "action without name", in: `{"t":"action","ref":1}`, wantErr: true},
		{name: "trailing data", in: `{"t":"sync"} {}`, wantErr: true},
		{name: "array", in: `[1]`, wantErr: true},
		{name: "ref 1e30", in: `{"t":"action","ref":1e30,"name":"x"}`, wantErr: true},
		{name: "ref fraction", in: `{"t":"action","ref":1.5,"name":"x"}`, wantErr: true},
		{name: "ref negative", in: `{"t":"action","ref":-1,"name":"x"}`, wantErr: true},
		{name: "ref too big", in: `{"t":"action","ref":9007199254740992,"name":"x"}`, wantErr: true},
		{name: "ref string", in: `{"t":"action","ref":"7","name":"x"}`, wantErr: true},
		{name: "largest ref", in: `{"t":"action","ref":9007199254740991,"name":"x"}`,
			want: Message{T: "action", Ref: 9007199254740991, RawRef: json.RawMessage("9007199254740991"), Name: "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestFindRef(t *testing.T) {
	assert.Equal(t, int64(42), FindRef([]byte(`{"t":"action","ref": 42,"data":{"x":"aaaa`)))
	assert.Equal(t, int64(0), FindRef([]byte(`{"t":"action","data":`)))
	assert.Equal(t, int64(0), FindRef([]byte(`{"t":"action","ref":1e30,"name":"x`)), "1e30 is not ref 1")
	assert.Equal(t, int64(0), FindRef([]byte(`{"t":"action","ref":1.5,"name":"x`)))
	assert.Equal(t, int64(0), FindRef([]byte(`{"ref":99999999999999999999}`)))
	assert.Equal(t, int64(12), FindRef([]byte(`{"ref":12}`)))
}

func TestEcho(t *testing.T) {
	assert.Equal(t, "short", Echo("short"))
	long := Echo(strings.Repeat("é", 100))
	assert.LessOrEqual(t, len(long), MaxEcho+len("…"))
	assert.True(t, utf8.ValidString(long))
	assert.True(t, strings.HasSuffix(long, "…"))
}

// Echo cuts at most MaxEcho bytes, and never inside a rune: a rune that
// straddles byte MaxEcho is dropped whole, whatever its length.
func TestEchoCutsOnARuneBoundary(t *testing.T) {
	pad := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "exactly MaxEcho bytes", in: pad(MaxEcho), want: pad(MaxEcho)},
		{name: "ASCII, one byte over", in: pad(MaxEcho + 1), want: pad(MaxEcho) + "…"},
		{name: "a 2-byte rune ends at MaxEcho", in: pad(MaxEcho-2) + "é" + "b", want: pad(MaxEcho-2) + "é…"},
		{name: "a 2-byte rune across MaxEcho", in: pad(MaxEcho-1) + "é", want: pad(MaxEcho-1) + "…"},
		{name: "a 3-byte rune, 1 byte before the cut", in: pad(MaxEcho-1) + "€", want: pad(MaxEcho-1) + "…"},
		{name: "a 3-byte rune, 2 bytes before the cut", in: pad(MaxEcho-2) + "€", want: pad(MaxEcho-2) + "…"},
		{name: "a 4-byte rune, 1 byte before the cut", in: pad(MaxEcho-1) + "😀", want: pad(MaxEcho-1) + "…"},
		{name: "a 4-byte rune, 2 bytes before the cut", in: pad(MaxEcho-2) + "😀", want: pad(MaxEcho-2) + "…"},
		{name: "a 4-byte rune, 3 bytes before the cut", in: pad(MaxEcho-3) + "😀x", want: pad(MaxEcho-3) + "…"},
		{name: "3-byte runes throughout", in: strings.Repeat("€", 30), want: strings.Repeat("€", MaxEcho/3) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Echo(tc.in)
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got), "valid UTF-8: %q", got)
			assert.LessOrEqual(t, len(strings.TrimSuffix(got, "…")), MaxEcho)
		})
	}
}

func TestAppendMessagesAreJSON(t *testing.T) {
	for _, b := range [][]byte{
		AppendTree(nil, 1, []byte(`{"s":["a"]}`), "", 0),
		AppendPatch(nil, 2, []byte(`{}`)),
		AppendReply(nil, 7, 3, []byte(`{"0":"x"}`), ""),
		AppendReply(nil, 7, 3, []byte(`{}`), "/b?q=\"1\"&x=<y>"),
		AppendPage(nil, "tok\"en"),
		AppendTree(nil, 4, []byte(`{"s":["a"]}`), "tok", 9),
		AppendError(nil, 7, CodeInvalid, "Fix the form", map[string]string{"title": "required"}),
		AppendReload(nil, "session ended"),
	} {
		assert.True(t, json.Valid(b), "%s", b)
	}
	assert.JSONEq(t, `{"t":"tree","seq":4,"token":"tok","ref":9,"tree":{"s":["a"]}}`,
		string(AppendTree(nil, 4, []byte(`{"s":["a"]}`), "tok", 9)))
	assert.JSONEq(t, `{"t":"reply","ref":7,"error":{"code":"invalid","message":"m"},"fields":{"a":"b"}}`,
		string(AppendError(nil, 7, CodeInvalid, "m", map[string]string{"a": "b"})))
}

func ExampleAppendReply() {
	fmt.Println(string(AppendReply(nil, 7, 3, []byte(`{"0":"1"}`), "")))
	fmt.Println(string(AppendReply(nil, 8, 4, []byte(`{}`), "/done")))
	// Output:
	// {"t":"reply","ref":7,"seq":3,"patch":{"0":"1"}}
	// {"t":"reply","ref":8,"seq":4,"patch":{},"redirect":"/done"}
}

func TestEvents(t *testing.T) {
	e, err := EncodeEvent("chart:points", map[string]int{"n": 1})
	require.NoError(t, err)
	assert.JSONEq(t, `["chart:points",{"n":1}]`, string(e))
	for _, bad := range []string{"", "connected", "error", "has space", "<x>", strings.Repeat("a", MaxEventName+1)} {
		_, err := EncodeEvent(bad, nil)
		assert.ErrorIs(t, err, ErrEventName, bad)
	}
	_, err = EncodeEvent("ch", make(chan int))
	assert.Error(t, err)

	msg := AppendPatch(nil, 3, []byte(`{}`))
	assert.Equal(t, `{"t":"patch","seq":3,"patch":{},"events":[["a",1],["b",2]]}`,
		string(WithEvents(msg, [][]byte{[]byte(`["a",1]`), []byte(`["b",2]`)})))
	assert.Equal(t, string(msg), string(WithEvents(msg, nil)))
}

func TestPing(t *testing.T) {
	m, err := Decode([]byte(`{"t":"ping","ref":4}`))
	require.NoError(t, err)
	assert.Equal(t, TypePing, m.T)
	assert.Equal(t, `{"t":"pong","ref":4}`, string(AppendPong(nil, 4)))
	assert.Equal(t, `{"t":"pong"}`, string(AppendPong(nil, 0)))
}
