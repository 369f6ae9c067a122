package transfer_test

import (
	"context"
	"fmt"

	"github.com/lvtgo/livetemplate/internal/transfer"
	"github.com/lvtgo/livetemplate/upload"
)

func Example() {
	tb := transfer.New[string](transfer.Options{Storage: newMem(), Chunk: 8})
	defer tb.Close()
	acc := &upload.Accept{Types: []string{"image/gif"}, MaxSize: 100}
	st, _ := tb.Start("group-1", "add", "photo", acc, []transfer.Decl{{Name: "a.gif", Size: 10}}, false)
	ctx := context.Background()
	pr, _ := tb.Chunk(ctx, "group-1", st.Files[0], 0, []byte("GIF89a\x01\x00"))
	fmt.Println(pr.Next, pr.Done)
	pr, _ = tb.Chunk(ctx, "group-1", st.Files[0], 1, []byte("\x01\x00"))
	fmt.Println(pr.Next, pr.Done)
	files, settle, _ := tb.Claim("group-1", "add", []string{st.Batch})
	settle(true)
	fmt.Println(files["photo"][0].Name, files["photo"][0].Type, files["photo"][0].Size)
	// Output:
	// 1 false
	// 2 true
	// a.gif image/gif 10
}
