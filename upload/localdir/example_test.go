package localdir_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lvtgo/livetemplate/upload"
	"github.com/lvtgo/livetemplate/upload/localdir"
)

func Example() {
	root, _ := os.MkdirTemp("", "photos")
	defer os.RemoveAll(root)
	d, err := localdir.New(root, nil)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	w, _ := d.Create(ctx, upload.Info{Field: "photo", Name: "cat.gif", Type: "image/gif", Size: 6})
	_, _ = w.Write([]byte("GIF89a"))
	key, _ := w.Commit(ctx)
	r, _ := d.Open(ctx, key)
	defer r.Close()
	b, _ := io.ReadAll(r)
	fmt.Println(string(b))
	// Output: GIF89a
}
