package livetemplate

import (
	"reflect"

	"github.com/lvtgo/livetemplate/internal/check"
	"github.com/lvtgo/livetemplate/internal/runtime"
)

// check checks t for a page of slots (check.Page), and returns the shape of
// the page's data: the store itself for one store, a map of the stores
// (with .viewer and .flash) for several, or for one whose template reads
// .viewer or .flash.
func (t *Template) check(slots []runtime.Slot) (runtime.Shape, error) {
	shape := runtime.Shape{Map: len(slots) > 1 || t.refs.Reads(runtime.ViewerKey) || t.refs.Reads(runtime.FlashKey)}
	shape.Viewer = shape.Map && check.ReadsAnywhere(t.parsed, runtime.ViewerKey)
	stores := make([]check.Store, len(slots))
	for i, s := range slots {
		stores[i] = check.Store{Name: s.Decl.Name, Type: s.Decl.Type}
	}
	extra := map[string]reflect.Type{runtime.ViewerKey: reflect.TypeFor[Viewer](), runtime.FlashKey: reflect.TypeFor[Flash]()}
	return shape, check.Page(t.parsed, t.funcs, stores, shape.Map, extra, t.strict, []string{runtime.Builtin})
}
