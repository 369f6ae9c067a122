package check

import (
	"errors"
	"html/template"
	"reflect"
)

// Store is one store of a page, as Page checks it: its name and type.
type Store struct {
	Name string
	Type reflect.Type
}

// Page checks the page template t, parsed with funcs, for a page of
// stores: every field, method and store its templates read, against the
// stores' types (Types), and, on a page of several stores, the store of
// every lvt-* action (Actions, with reserved store names). asMap says the
// page's data is a map of the stores by name plus extra (the reserved keys
// and their types); else it is the one store. strict refuses keys the map
// lacks.
func Page(t *template.Template, funcs template.FuncMap, stores []Store, asMap bool, extra map[string]reflect.Type, strict bool, reserved []string) error {
	data := Data{Store: stores[0].Type}
	if asMap {
		data = Data{StrictKeys: strict, Map: make(map[string]reflect.Type, len(stores)+len(extra))}
		for k, v := range extra {
			data.Map[k] = v
		}
		for _, s := range stores {
			data.Map[s.Name] = s.Type
		}
	}
	err := Types(t, data, funcs)
	if len(stores) > 1 {
		names := make([]string, len(stores))
		for i, s := range stores {
			names[i] = s.Name
		}
		err = errors.Join(err, Actions(t, names, reserved))
	}
	return err
}
