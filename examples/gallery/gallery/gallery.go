// Package gallery is the page of the gallery example: a shared photo
// gallery. Every tab of a browser (its session group) sees the photos any
// of them uploads, as soon as the upload ends. The example's main (one
// directory up) serves it; tests mount it on an app of their own.
package gallery

import (
	"embed"
	"errors"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/upload"
	"github.com/lvtgo/livetemplate/upload/localdir"
)

//go:embed gallery.html
var files embed.FS

// MaxPhotos is how many photos the gallery shows; older ones drop off.
const MaxPhotos = 60

// MaxSize is the largest photo accepted.
const MaxSize = 32 << 20

// Photo is one uploaded photo.
type Photo struct {
	Key  string // its key in the storage: its URL is /photos/<Key>
	Name string // the name it had on the uploader's computer
}

// Gallery is the page's state, shared by the tabs of one browser.
type Gallery struct {
	Photos []Photo
}

// Accepts declares the form's file field "photo": PNG, JPEG, GIF and WebP
// (judged from the files' content) up to 32 MB, eight at a time.
func (g *Gallery) Accepts() map[string]upload.Accept {
	return map[string]upload.Accept{"photo": {
		Types:    []string{"image/png", "image/jpeg", "image/gif", "image/webp"},
		MaxSize:  MaxSize,
		MaxFiles: 8,
	}}
}

// Change handles the page's one action, "add": the photos of the upload.
func (g *Gallery) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "add" {
		return livetemplate.ErrUnknownAction
	}
	photos := ctx.Files("photo")
	if len(photos) == 0 {
		return livetemplate.FieldError{Field: "photo", Message: "Choose a photo first."}
	}
	for _, f := range photos {
		g.Photos = append([]Photo{{Key: f.Key, Name: f.Name}}, g.Photos...)
	}
	if len(g.Photos) > MaxPhotos {
		g.Photos = g.Photos[:MaxPhotos]
	}
	return nil
}

var page = livetemplate.Must(livetemplate.New("gallery.html", livetemplate.WithFS(files, "gallery.html")))

// Storage returns the storage of the photos, in directory dir (made if
// missing). Give it to the app with livetemplate.WithUploads.
func Storage(dir string) (*localdir.Dir, error) { return localdir.New(dir, nil) }

// NewHandler mounts the gallery page on app (which must have been given
// st with WithUploads) and returns the handler of the whole example: the
// page at "/" and the photos at "/photos/<key>".
func NewHandler(app *livetemplate.App, st *localdir.Dir) (http.Handler, error) {
	h, err := app.Mount(page, &Gallery{})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/{$}", h)
	mux.Handle("GET /photos/{key}", photos(st))
	return mux, nil
}

// types are the media types of the photos served, by extension (the
// storage names files by their detected type).
var types = map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}

// photos serves the stored photos.
func photos(st *localdir.Dir) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		typ, ok := types[path.Ext(key)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		f, err := st.Open(r.Context(), key)
		if errors.Is(err, upload.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "cannot read the photo", http.StatusInternalServerError)
			return
		}
		defer f.Close()
		h := w.Header()
		h.Set("Content-Type", typ)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "public, max-age=31536000, immutable") // a key is never reused
		if rs, ok := f.(io.ReadSeeker); ok {
			http.ServeContent(w, r, "", zeroTime, rs)
			return
		}
		_, _ = io.Copy(w, f)
	})
}

// zeroTime leaves Last-Modified out of ServeContent's answer.
var zeroTime time.Time
