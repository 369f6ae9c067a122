package schema_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/schema"
)

type counter struct{ Count int }
type other struct{ Count int }

func decl(name string, scope schema.Scope, v any, proto string) schema.Decl {
	return schema.Decl{Name: name, Scope: scope, Type: reflect.TypeOf(v), Proto: []byte(proto)}
}

func TestCatalogOneNameOneStore(t *testing.T) {
	var c schema.Catalog
	a, err := c.Declare(decl("counter", schema.Group, &counter{}, `{"Count":0}`))
	require.NoError(t, err)
	b, err := c.Declare(decl("counter", schema.Group, &counter{}, `{"Count":0}`))
	require.NoError(t, err)
	assert.Same(t, a, b, "a second page showing the store gets the first declaration")
	assert.Same(t, a, c.Lookup("counter"))

	for _, tc := range []struct {
		name string
		d    schema.Decl
		want string
	}{
		{"other type", decl("counter", schema.Group, &other{}, `{"Count":0}`), "is *schema_test.other here but *schema_test.counter"},
		{"other scope", decl("counter", schema.User, &counter{}, `{"Count":0}`), "shared by the user here but by the session group"},
		{"other start", decl("counter", schema.Group, &counter{}, `{"Count":5}`), `starts as {"Count":5} here`},
		{"bad state", decl("x", schema.Group, &counter{}, `{"Count":"no"}`), "decode state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Declare(tc.d)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPageStoresMayDifferBetweenPages(t *testing.T) {
	var c schema.Catalog
	a, err := c.Declare(decl("view", schema.Page, &counter{}, `{"Count":1}`))
	require.NoError(t, err)
	b, err := c.Declare(decl("view", schema.Page, &other{}, `{"Count":2}`))
	require.NoError(t, err)
	assert.NotSame(t, a, b)
	assert.Nil(t, c.Lookup("view"), "page stores are not in the app's catalog")
}

func TestDecodeMakesIndependentCopies(t *testing.T) {
	d := decl("counter", schema.Group, &counter{}, `{"Count":3}`)
	x, y := d.Fresh().(*counter), d.Fresh().(*counter)
	x.Count++
	assert.Equal(t, 4, x.Count)
	assert.Equal(t, 3, y.Count)
	js, err := d.Encode(x)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Count":4}`, string(js))
}

func ExampleCatalog() {
	var c schema.Catalog
	_, _ = c.Declare(schema.Decl{Name: "counter", Type: reflect.TypeOf(&counter{}), Proto: []byte(`{"Count":0}`)})
	_, err := c.Declare(schema.Decl{Name: "counter", Type: reflect.TypeOf(&other{}), Proto: []byte(`{"Count":0}`)})
	fmt.Println(err)
	// Output: store "counter" is *schema_test.other here but *schema_test.counter on another page of the app: one name, one store (rename one with Named)
}
