package livetemplate

import (
	"github.com/lvtgo/livetemplate/internal/check"
	"github.com/lvtgo/livetemplate/internal/runtime"
)

// check returns the shape of t's data for a page of slots: the store
// itself for one store, a map of the stores (with .viewer and .flash) for
// several, or for one whose template reads .viewer or .flash.
func (t *Template) check(slots []runtime.Slot) (runtime.Shape, error) {
	shape := runtime.Shape{Map: len(slots) > 1 || t.refs.Reads(runtime.ViewerKey) || t.refs.Reads(runtime.FlashKey)}
	shape.Viewer = shape.Map && check.ReadsAnywhere(t.parsed, runtime.ViewerKey)
	return shape, nil
}
