package protocol

import (
	"context"
	"errors"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/transfer"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/upload"
)

// upload answers an upload message of page p (upload, chunk, resume or
// cancel), over either transport: the answer is one message, or nil for a
// cancel. docs/uploads.md describes the exchange.
func (c *visitor) upload(ctx context.Context, p *page.Page, m wire.Message) []byte {
	tab, owner := c.s.rt.Uploads(), runtime.UploadOwner(c.id)
	switch m.T {
	case wire.TypeUpload:
		acc := p.View.(*runtime.View).Accepts(m.Name, m.Field)
		decls := make([]transfer.Decl, len(m.Files))
		for i, f := range m.Files {
			decls[i] = transfer.Decl{Name: f.Name, Size: f.Size}
		}
		st, err := tab.Start(owner, m.Name, m.Field, acc, decls, m.Auto)
		if err != nil {
			return c.uploadError(m.Ref, "", err)
		}
		return wire.AppendUploadStarted(nil, m.Ref, st.Batch, st.Files, st.Chunk, st.Later)
	case wire.TypeChunk:
		pr, err := tab.Chunk(ctx, owner, m.ID, m.N, m.B)
		if err != nil {
			return c.uploadError(0, m.ID, err)
		}
		return wire.AppendProgress(nil, m.ID, pr.Next, pr.Done)
	case wire.TypeResume:
		pr, err := tab.Resume(owner, m.ID)
		if err != nil {
			return c.uploadError(0, m.ID, err)
		}
		return wire.AppendProgress(nil, m.ID, pr.Next, pr.Done)
	default: // cancel
		tab.Cancel(owner, m.ID)
		return nil
	}
}

// uploadFault turns a refused upload into the error that answers it: the
// field's error for the user, Invalid.
func (c *visitor) uploadFault(err error) *fault.Error {
	var fe *transfer.FieldError
	if !errors.As(err, &fe) {
		return fault.Wrap(fault.Internal, err)
	}
	msg := fe.Message()
	e := fault.New(fault.Invalid, msg)
	if fe.Field != "" {
		e.Fields = map[string]string{fe.Field: msg}
	}
	return e
}

// uploadError answers a refused upload message ref, or a refused chunk or
// resume of file id.
func (c *visitor) uploadError(ref int64, id string, err error) []byte {
	fe := c.uploadFault(err)
	field := ""
	for f := range fe.Fields {
		field = f
	}
	return wire.AppendUploadError(nil, ref, id, field, fe.Kind.Code(), fe.UserMessage())
}

// claim takes the uploads an action names (none: nothing to do). settle
// is called with whether the action succeeded: the files of a failed one
// are deleted.
func (c *visitor) claim(p *page.Page, m wire.Message) (map[string][]upload.File, func(bool), *fault.Error) {
	if len(m.Uploads) == 0 {
		return nil, func(bool) {}, nil
	}
	files, settle, err := c.s.rt.Uploads().Claim(runtime.UploadOwner(c.id), m.Name, m.Uploads)
	if err != nil {
		return nil, nil, c.uploadFault(err)
	}
	return files, settle, nil
}
