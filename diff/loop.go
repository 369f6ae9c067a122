package diff

import (
	"fmt"
	"html/template"
	"reflect"
	"strconv"
	"sync"
	"text/template/parse"
)

// A converted range renders its items itself, so that an item whose value
// equals one an earlier render kept reuses that render's item instead of
// executing the body again. Only ranges whose body is pure (pure.go) are
// converted; Compile rewrites
//
//	{{range P}}BODY{{else}}ELSE{{end}}
//
// (with the range's markers around it) into
//
//	{{$v := P}}{{if ok ID $v}}<markLoop>{{tok $v}}{{else}}{{range $v}}BODY{{else}}ELSE{{end}}{{end}}
//
// P is evaluated once, as before. ok reports whether $v is a non-empty
// slice or array whose element type can be snapshotted; otherwise the
// range runs as it always did (else branch, maps, channels, iterators,
// errors). tok hands the value to the recorder: it stores it under a new
// token and returns the token, which text/template writes at once; the
// recorder knows that write is a token because the markLoop marker, a
// registered text node no data can forge, comes just before it. The
// recorder then matches the items against the previous tree's snapshots
// (reuse.go) and executes BODY for the others through a template of its
// own, {{range .}}BODY{{end}}, over just those items.

// loop is one converted range.
type loop struct {
	items *template.Template // {{range .}}BODY{{end}}, BODY instrumented
	size  int32              // dynamics of one item
	codecs
	// For printsAddresses: the body, the name space and the tok function.
	body   *parse.ListNode
	lookup func(string) *template.Template
	tok    string
	kinds  sync.Map // element type → *itemKind
}

// itemKind is how a loop snapshots items of one element type.
type itemKind struct {
	c        *codec // nil: not cacheable
	identity bool   // record the addresses of pointers below the item's top
}

// kind returns how items of type typ are snapshotted.
func (l *loop) kind(typ reflect.Type) *itemKind {
	if k, ok := l.kinds.Load(typ); ok {
		return k.(*itemKind)
	}
	k := &itemKind{c: l.get(typ)}
	if k.c != nil {
		k.identity = printsAddresses(l.body, typ, l.lookup, l.tok)
	}
	v, _ := l.kinds.LoadOrStore(typ, k)
	return v.(*itemKind)
}

// loopOK is the ok function of converted ranges: it reports whether v, the
// value of the range's pipeline, is a non-empty slice or array whose
// elements the loop of slot can snapshot.
func (t *Template) loopOK(slot int, v reflect.Value) bool {
	v, isNil := indirect(v)
	if isNil || !v.IsValid() || !v.CanInterface() || (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) || v.Len() == 0 {
		return false
	}
	if slot <= 0 || slot >= len(t.loops) || t.loops[slot] == nil {
		return false
	}
	return t.loops[slot].kind(v.Type().Elem()).c != nil
}

// loopToken is the tok function of converted ranges: it keeps v until the
// recorder takes it with the token it returns.
func (t *Template) loopToken(v reflect.Value) string {
	k := t.seq.Add(1)
	t.pending.Store(k, v)
	return strconv.FormatUint(k, 36)
}

// takeValue returns the value stored under the token tok.
func (t *Template) takeValue(tok []byte) (reflect.Value, error) {
	k, err := strconv.ParseUint(string(tok), 36, 64)
	if err == nil {
		if v, ok := t.pending.LoadAndDelete(k); ok {
			rv, _ := indirect(v.(reflect.Value))
			return rv, nil
		}
	}
	return reflect.Value{}, fmt.Errorf("diff: converted range: unknown token %q", tok)
}

// indirect follows pointers and interfaces as a range does.
func indirect(v reflect.Value) (reflect.Value, bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
	}
	return v, false
}
