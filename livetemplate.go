package livetemplate

import (
	"errors"
	"fmt"
	"html/template"
	"path/filepath"

	"github.com/lvtgo/livetemplate/diff"
)

// Template is a parsed, compiled page template. It is immutable and safe for
// concurrent use; Handle may be called several times with different stores.
type Template struct {
	name     string
	compiled *diff.Template
	cfg      config
	strict   strictRefs // nil unless WithStrict
	viewer   bool       // the template reads .viewer
}

// New parses and compiles the template named name. Its source comes from
// WithText, WithFiles or WithFS; with none of them, name is the path of the
// template file to parse. Every problem with the options or the template is
// reported in the returned error.
func New(name string, opts ...Option) (*Template, error) {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	t, err := parse(name, &cfg)
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	strict := prepareStrict(t, &cfg)
	viewer := readsViewer(t)
	ct, err := diff.Compile(t)
	if err != nil {
		return nil, fmt.Errorf("livetemplate: new %q: %w", name, err)
	}
	return &Template{name: t.Name(), compiled: ct, cfg: cfg, strict: strict, viewer: viewer}, nil
}

// Must is a helper that wraps a call to New and panics if its error is not
// nil, for use in variable initialisations and main.
func Must(t *Template, err error) *Template {
	if err != nil {
		panic(err)
	}
	return t
}

func parse(name string, cfg *config) (*template.Template, error) {
	t := template.New(name)
	if cfg.funcs != nil {
		t = t.Funcs(cfg.funcs)
	}
	var err error
	switch {
	case cfg.text != nil:
		t, err = t.Parse(*cfg.text)
	case cfg.fsys != nil:
		t, err = t.ParseFS(cfg.fsys, cfg.patterns...)
		if err == nil {
			t = pageOf(t, name, cfg.patterns)
		}
	default:
		files := cfg.files
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
	if p := t.Lookup(name); p != nil && p.Tree != nil {
		return p
	}
	if p := t.Lookup(filepath.Base(name)); p != nil && p.Tree != nil {
		return p
	}
	if len(files) > 0 {
		if p := t.Lookup(filepath.Base(files[0])); p != nil && p.Tree != nil {
			return p
		}
	}
	return t
}

// Handle returns the handler that serves the page with stores as its state.
// Each session group gets its own copy of each store (decoded from the
// store's JSON encoding, so groups never share a map or a slice); stores
// wrapped with PerConnection are copied for each connection instead. With one
// store the template's data is that store; with several it is a map from
// store names to stores (see Named).
//
// Handle panics if stores are not valid (nil, not pointers, not encodable as
// JSON, or sharing a name): a programming error, like registering a pattern
// twice on an http.ServeMux. Configuration errors are reported by New; Handle
// never fails on them.
func (t *Template) Handle(stores ...Store) *Handler {
	specs, err := specsOf(stores)
	if err != nil {
		panic(fmt.Sprintf("livetemplate: handle %q: %v", t.name, err))
	}
	h, err := newHandler(t, specs)
	if err != nil {
		panic(fmt.Sprintf("livetemplate: handle %q: %v", t.name, err))
	}
	return h
}
