package livetest_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/upload"
	"github.com/lvtgo/livetemplate/upload/localdir"
)

// Shelf keeps the names of PNG files sent to it.
type Shelf struct{ Names []string }

func (s *Shelf) Accepts() map[string]upload.Accept {
	return map[string]upload.Accept{"doc": {Types: []string{"image/png"}, MaxSize: 1 << 20}}
}

func (s *Shelf) Change(ctx *livetemplate.ActionContext) error {
	for _, f := range ctx.Files("doc") {
		s.Names = append(s.Names, ctx.GetString("label")+":"+f.Name)
	}
	return nil
}

const shelfPage = `<html><body><ul id="names">{{range .Names}}<li>{{.}}</li>{{end}}</ul>
<form id="up" lvt-submit="add"><input name="label" value="mine"><input type="file" name="doc"><p lvt-error="doc"></p><button>Send</button></form></body></html>`

func shelf(t *testing.T, transport livetest.Transport) *livetest.Page {
	t.Helper()
	st, err := localdir.New(t.TempDir(), nil)
	require.NoError(t, err)
	app := livetest.App(t, livetemplate.WithUploads(st, nil))
	tmpl := livetemplate.Must(livetemplate.New("shelf", livetemplate.WithText(shelfPage)))
	srv := livetest.Start(t, app.Handle(tmpl, &Shelf{}))
	return srv.NewBrowser(&livetest.BrowserOptions{Transport: transport}).Open("/")
}

func TestUpload(t *testing.T) {
	for _, tr := range []livetest.Transport{livetest.WebSocket, livetest.HTTP} {
		t.Run(tr.String(), func(t *testing.T) {
			tab := shelf(t, tr)
			content := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 120_000)...)
			require.NoError(t, tab.Upload("#up input[type=file]", "scan.png", content))
			assert.Equal(t, "mine:scan.png", tab.Text("#names li"))
			prog := tab.UploadProgress()
			require.Len(t, prog, 3, "120 KB in chunks of 47 KiB")
			assert.Equal(t, livetest.Progress{Field: "doc", Name: "scan.png", Loaded: int64(len(content)), Total: int64(len(content))}, prog[2])
			assert.Less(t, prog[0].Loaded, prog[1].Loaded)
		})
	}
}

func TestUploadRefused(t *testing.T) {
	tab := shelf(t, livetest.WebSocket)
	err := tab.Upload("#up input[type=file]", "notes.png", []byte("plain text, not a picture"))
	var ae *livetest.ActionError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, "invalid", ae.Code)
	assert.Equal(t, `"notes.png" is not of an accepted type (image/png).`, tab.FieldError("doc"))
	assert.Empty(t, tab.Text("#names"))
}
