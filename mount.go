package livetemplate

import (
	"errors"
	"reflect"

	"github.com/lvtgo/livetemplate/internal/check"
	"github.com/lvtgo/livetemplate/internal/runtime"
)

// check checks t for a page of slots, and returns the shape of the page's
// data: the store itself for one store, a map of the stores (with .viewer
// and .flash) for several, or for one whose template reads .viewer or
// .flash. Every field, method and store the templates read is checked
// against the stores' types, and, on a page of several stores, the store
// of every lvt-* action.
func (t *Template) check(slots []runtime.Slot) (runtime.Shape, error) {
	shape := runtime.Shape{Map: len(slots) > 1 || t.refs.Reads(runtime.ViewerKey) || t.refs.Reads(runtime.FlashKey)}
	shape.Viewer = shape.Map && check.ReadsAnywhere(t.parsed, runtime.ViewerKey)
	data := check.Data{Store: slots[0].Decl.Type}
	if shape.Map {
		data = check.Data{StrictKeys: t.strict, Map: map[string]reflect.Type{
			runtime.ViewerKey: reflect.TypeFor[Viewer](),
			runtime.FlashKey:  reflect.TypeFor[Flash](),
		}}
		for _, s := range slots {
			data.Map[s.Decl.Name] = s.Decl.Type
		}
	}
	err := check.Types(t.parsed, data, t.funcs)
	if len(slots) > 1 {
		err = errors.Join(err, check.Actions(t.parsed, namesOf(slots), []string{runtime.Builtin}))
	}
	return shape, err
}
