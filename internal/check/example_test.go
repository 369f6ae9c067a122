package check_test

import (
	"errors"
	"fmt"
	"html/template"
	"reflect"

	"github.com/lvtgo/livetemplate/internal/check"
)

// Tally is a store of the examples.
type Tally struct{ Count int }

// Double is a method templates may call.
func (t *Tally) Double() int { return 2 * t.Count }

// A page with two stores, checked when it is mounted: each mistake is
// named with its position and the type it was read on.
func Example() {
	page := template.Must(template.New("page.html").Parse(`<p>{{.tally.Double}} {{.tally.Cuont}}</p>
<button lvt-click="taly.add">+1</button>
{{with .tally}}{{.Cuont}}{{end}} {{.Options}}`))
	data := check.Data{
		Map: map[string]reflect.Type{
			"tally":  reflect.TypeFor[*Tally](),
			"viewer": reflect.TypeFor[Viewer](),
		},
		StrictKeys: true,
	}
	fmt.Println(check.Types(page, data, nil))
	fmt.Println(check.Actions(page, []string{"tally"}, nil))
	// Output:
	// template page.html:1:29: can't evaluate field Cuont in type *check_test.Tally
	// template page.html:3:17: can't evaluate field Cuont in type *check_test.Tally
	// template page.html:3:35: no store named "Options"; the page's data has: tally, viewer
	// template page.html:2:19: lvt-click="taly.add": no store named "taly"; the page's stores are: tally
}

// The problems are *Error values, joined.
func ExampleError() {
	page := template.Must(template.New("page.html").Parse(`{{range .Items}}{{.Titel}}{{end}}`))
	err := check.Types(page, check.Data{Store: reflect.TypeFor[*Counter]()}, nil)
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *check.Error
		if errors.As(e, &ce) {
			fmt.Printf("at %s: %s read on %s\n", ce.Pos, ce.Name, ce.Type)
		}
	}
	// Output:
	// at page.html:1:18: .Titel read on check_test.Item
}
