package livetemplate

import (
	"fmt"
	"html/template"

	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/check"
)

// Template is a parsed, compiled page template. It is immutable and safe for
// concurrent use; an App may mount it on several pages with different
// stores.
type Template struct {
	name     string
	parsed   *template.Template
	compiled *diff.Template
	funcs    template.FuncMap
	strict   bool
	refs     check.Refs // references to the page's data
}

// New parses and compiles the template named name. Its source comes from
// WithText, WithFiles or WithFS; with none of them, name is the path of the
// template file to parse. New takes the template options (WithText,
// WithFiles, WithFS, WithFuncs, WithStrict); the options that say how pages
// are served belong to NewApp, and New refuses them. Every problem with the
// options or the template is reported in the returned error.
func New(name string, opts ...Option) (*Template, error) {
	o, err := collect(opts, forTemplate)
	if err == nil {
		err = o.src.Check()
	}
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	t, err := o.src.Parse(name)
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	strict := o.strict == nil || *o.strict
	if strict {
		t.Option("missingkey=error")
	}
	refs := check.DataRefs(t)
	// WithFuncs' are t's only functions: list items that call builtins may be reused.
	ct, err := diff.CompileWith(t, diff.Options{FuncsKnown: true, Funcs: o.src.Funcs})
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	return &Template{name: t.Name(), parsed: t, compiled: ct, funcs: o.src.Funcs, strict: strict, refs: refs}, nil
}

// Must is a helper that wraps a call to New and panics if its error is not
// nil, for use in variable initialisations and main.
func Must(t *Template, err error) *Template {
	if err != nil {
		panic(err)
	}
	return t
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// Handle returns the handler that serves the page with stores as its state,
// as a one-page app of its own: NewApp with no options (anonymous
// authentication, an in-memory session store), shut down with the handler.
// An application of several pages that share stores mounts them on one App
// (App.Handle) instead, so that they share state, identity and live
// navigation. Handle panics as App.Handle does.
func (t *Template) Handle(stores ...Store) *Handler {
	app, err := NewApp()
	if err != nil {
		panic(err) // the defaults cannot fail but for crypto/rand
	}
	h, err := app.Mount(t, stores...)
	if err != nil {
		_ = app.Close()
		panic(err)
	}
	return h
}
