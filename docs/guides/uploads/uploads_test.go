package uploads

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/upload"
	"github.com/lvtgo/livetemplate/upload/localdir"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quote:store
// Profile takes an avatar: one PNG or JPEG of at most 2 MB.
type Profile struct {
	Name   string
	Avatar string // the key of the stored file
}

// Accepts declares the file fields of the store's forms.
func (p *Profile) Accepts() map[string]upload.Accept {
	return map[string]upload.Accept{
		"avatar": {Types: []string{"image/png", "image/jpeg"}, MaxSize: 2 << 20},
	}
}

func (p *Profile) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "save" {
		return livetemplate.ErrUnknownAction
	}
	p.Name = ctx.GetString("name") // the other fields come as usual
	for _, f := range ctx.Files("avatar") {
		// f.Name is the user's file name (checked, never a path), f.Type the
		// type found in its content, f.Size its size, f.Key its storage key.
		p.Avatar = f.Key
	}
	return nil
}

// quote:end

const profilePage = `<html><body><p id="who">{{.Name}} {{.Avatar}}</p>
<form id="profile" lvt-submit="save">
  <input name="name">
  <input type="file" name="avatar" accept="image/png,image/jpeg">
  <progress lvt-upload-progress="avatar"></progress>
  <p lvt-error="avatar"></p>
  <button>Save</button>
</form></body></html>`

// newApp returns an app whose uploads go to dir.
func newApp(dir string) (*livetemplate.App, error) {
	// quote:app
	st, err := localdir.New(dir, nil) // the files go to dir
	if err != nil {
		return nil, err
	}
	app, err := livetemplate.NewApp(livetemplate.WithUploads(st, nil))
	// quote:end
	return app, err
}

func newHandler(t *testing.T) http.Handler {
	t.Helper()
	app, err := newApp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = app.Close() })
	tmpl := livetemplate.Must(livetemplate.New("profile", livetemplate.WithText(profilePage)))
	return app.Handle(tmpl, &Profile{})
}

func TestUploadGuide(t *testing.T) {
	h := newHandler(t)
	srv := livetest.Start(t, h)
	// quote:test
	tab := srv.Open("/")
	avatar := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100_000)...)
	err := tab.Upload("#profile input[name=avatar]", "me.png", avatar)
	require.NoError(t, err)
	assert.Len(t, tab.UploadProgress(), 3) // one entry per chunk the server acknowledged

	// A text file is refused whatever its name says, with a field error.
	err = tab.Upload("#profile input[name=avatar]", "me.png", []byte("not a picture"))
	var refused *livetest.ActionError
	require.True(t, errors.As(err, &refused))
	assert.Equal(t, `"me.png" is not of an accepted type (image/png, image/jpeg).`, tab.FieldError("avatar"))
	// quote:end
	assert.True(t, bytes.HasPrefix(avatar, []byte("\x89PNG")))
}
