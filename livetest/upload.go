package livetest

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/net/html"
)

// maxAnswers bounds the upload answers a page keeps until its Upload takes
// them.
const maxAnswers = 64

// Progress is how far a file of an Upload had come when the server
// acknowledged a chunk: Loaded of Total bytes of file Name in Field.
type Progress struct {
	Field  string
	Name   string
	Loaded int64
	Total  int64
}

// File is a file a test chooses for a file input.
type File struct {
	Name    string
	Content []byte
}

// Upload chooses a file named name with content in the file input matching
// selector and submits the input's form, as a user choosing a file and
// pressing the form's submit button: the file goes up first, in chunks
// the server acknowledges (see UploadProgress), then the form's lvt-submit
// action is sent with the form's other fields and names the upload, as the
// browser client does (docs/uploads.md). It fails if selector matches no
// file input in a form with lvt-submit, or with the server's refusal
// (*ActionError; field errors show in the form, see FieldError).
func (p *Page) Upload(selector, name string, content []byte) error {
	return p.UploadFiles(selector, File{Name: name, Content: content})
}

// UploadFiles is Upload of several files chosen at once in one input.
func (p *Page) UploadFiles(selector string, files ...File) error {
	op := fmt.Sprintf("Upload(%q)", selector)
	doc, el, err := p.find(op, selector)
	if err != nil {
		return err
	}
	if !isElement(el, "input") || attr(el, "type") != "file" {
		return fmt.Errorf("livetest: %s: the element %s is not a file input", op, describe(el))
	}
	form := formOf(el)
	if form == nil || !has(form, "lvt-submit") {
		return fmt.Errorf("livetest: %s: the input %s is in no form with lvt-submit", op, describe(el))
	}
	if disabled(el) {
		return fmt.Errorf("livetest: %s: the input %s is disabled", op, describe(el))
	}
	batch, err := p.upload(op, doc, form, attr(form, "lvt-submit"), attr(el, "name"), files)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.carry = []string{batch}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.carry = nil
		p.mu.Unlock()
	}()
	return p.submit(op, doc, form, nil, nil)
}

// UploadProgress returns the progress the server acknowledged during the
// last Upload, in order: one entry per chunk.
func (p *Page) UploadProgress() []Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Progress(nil), p.uploads...)
}

// upload sends files for field of action and returns the batch's id.
func (p *Page) upload(op string, doc, form *html.Node, action, field string, files []File) (string, error) {
	ctx, cancel := context.WithTimeout(p.ctx, p.b.opts.Timeout)
	defer cancel()
	decls := make([]map[string]any, len(files))
	var total int64
	for i, f := range files {
		decls[i] = map[string]any{"name": f.Name, "size": len(f.Content)}
		total += int64(len(f.Content))
	}
	p.mu.Lock()
	p.ref++
	ref := p.ref
	p.answers = nil
	p.uploads = nil
	p.mu.Unlock()
	refused := func(m serverMsg) error {
		ae := &ActionError{Action: action, Code: m.Error.Code, Message: m.Error.Message, Fields: m.Fields}
		p.mu.Lock()
		p.scopes[formKey(doc, form)] = m.Fields
		p.mu.Unlock()
		return fmt.Errorf("livetest: %s: %w", op, ae)
	}
	m, err := p.answer(ctx, func(m serverMsg) bool { return m.Ref == ref }, func() error {
		return p.linkNow().send(ctx, map[string]any{"t": "upload", "ref": ref, "name": action, "field": field, "files": decls})
	})
	switch {
	case err != nil:
		return "", fmt.Errorf("livetest: %s: %w", op, err)
	case m.Error != nil:
		return "", refused(m)
	case m.Later || m.Chunk <= 0 || len(m.Files) != len(files):
		return "", fmt.Errorf("livetest: %s: the server did not start the upload: %+v", op, m)
	}
	batch, size := m.Batch, m.Chunk
	var loaded int64
	for i, f := range files {
		id := m.Files[i]
		for n := 0; n*size < len(f.Content); n++ {
			chunk := f.Content[n*size : min(len(f.Content), (n+1)*size)]
			a, err := p.answer(ctx, func(a serverMsg) bool { return a.ID == id }, func() error {
				return p.linkNow().send(ctx, map[string]any{"t": "chunk", "id": id, "n": n, "b": chunk})
			})
			if err != nil {
				return "", fmt.Errorf("livetest: %s: %w", op, err)
			}
			if a.Error != nil {
				return "", refused(a)
			}
			loaded += int64(len(chunk))
			p.mu.Lock()
			p.uploads = append(p.uploads, Progress{Field: field, Name: f.Name, Loaded: loaded, Total: total})
			p.mu.Unlock()
		}
	}
	return batch, nil
}

// answer sends with send and waits for the upload answer that match
// accepts, dropping the others.
func (p *Page) answer(ctx context.Context, match func(serverMsg) bool, send func() error) (serverMsg, error) {
	if err := send(); err != nil {
		return serverMsg{}, err
	}
	var got *serverMsg
	ok := p.wait(ctx, func() bool {
		for i, a := range p.answers {
			if match(a) {
				got = &p.answers[i]
				p.answers = append(p.answers[:i:i], p.answers[i+1:]...)
				return true
			}
		}
		return p.err != nil
	})
	switch {
	case got != nil:
		return *got, nil
	case !ok:
		return serverMsg{}, errors.New("no answer from the server in time")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return serverMsg{}, p.err
}
