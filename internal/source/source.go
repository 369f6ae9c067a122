package source

import (
	"errors"
	"html/template"
	"io/fs"
	"maps"
	"path/filepath"
)

// Source is where a template comes from: Text, Files, or FS with Patterns
// (one of them; none means the file named like the template), and the
// functions it may call.
type Source struct {
	Text     *string
	Files    []string
	FS       fs.FS
	Patterns []string
	Funcs    template.FuncMap
}

// AddFuncs adds funcs to the source's functions.
func (s *Source) AddFuncs(funcs template.FuncMap) {
	if s.Funcs == nil {
		s.Funcs = template.FuncMap{}
	}
	maps.Copy(s.Funcs, funcs)
}

// Check reports a source given twice, or an FS without patterns.
func (s *Source) Check() error {
	n := 0
	for _, set := range []bool{s.Text != nil, len(s.Files) > 0, s.FS != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return errors.New("use only one of WithText, WithFiles and WithFS")
	case s.FS != nil && len(s.Patterns) == 0:
		return errors.New("WithFS needs at least one pattern")
	}
	return nil
}

// Parse parses the template named name from s and returns the page: for
// several files, the template named name (or its base name), else the one
// named after the first file.
func (s *Source) Parse(name string) (*template.Template, error) {
	t := template.New(name)
	if s.Funcs != nil {
		t = t.Funcs(s.Funcs)
	}
	var err error
	switch {
	case s.Text != nil:
		t, err = t.Parse(*s.Text)
	case s.FS != nil:
		t, err = t.ParseFS(s.FS, s.Patterns...)
		if err == nil {
			t = pageOf(t, name, s.Patterns)
		}
	default:
		files := s.Files
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
