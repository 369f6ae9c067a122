package livetemplate

import (
	"errors"
	"fmt"
	"html/template"
	"path/filepath"

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
		err = o.sources()
	}
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	t, err := parse(name, o)
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	strict := o.strict == nil || *o.strict
	if strict {
		t.Option("missingkey=error")
	}
	refs := check.DataRefs(t)
	// WithFuncs' are t's only functions: list items that call builtins may be reused.
	ct, err := diff.CompileWith(t, diff.Options{FuncsKnown: true, Funcs: o.funcs})
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	return &Template{name: t.Name(), parsed: t, compiled: ct, funcs: o.funcs, strict: strict, refs: refs}, nil
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

func parse(name string, o *options) (*template.Template, error) {
	t := template.New(name)
	if o.funcs != nil {
		t = t.Funcs(o.funcs)
	}
	var err error
	switch {
	case o.text != nil:
		t, err = t.Parse(*o.text)
	case o.fsys != nil:
		t, err = t.ParseFS(o.fsys, o.patterns...)
		if err == nil {
			t = pageOf(t, name, o.patterns)
		}
	default:
		files := o.files
		if len(files) == 0 {
			files = []string{name}
		}
		t, err = t.ParseFiles(files...)
		if err == nil {
			t = pageOf(t, name, files)
		}
	}
	if err != nil {
		return nil, err
	}
	if t == nil || t.Tree == nil {
		return nil, errors.New("no template to execute: name the page template in New")
	}
	return t, nil
}

// pageOf picks the page among parsed files: the template named name, or the
// one named after the first file.
func pageOf(t *template.Template, name string, files []string) *template.Template {
	for _, n := range []string{name, filepath.Base(name)} {
		if p := t.Lookup(n); p != nil && p.Tree != nil {
			return p
		}
	}
	if len(files) > 0 {
		if p := t.Lookup(filepath.Base(files[0])); p != nil && p.Tree != nil {
			return p
		}
	}
	return t
}
