package upload_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lvtgo/livetemplate/upload"
)

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		head string
		want string
	}{
		{name: "png", head: "\x89PNG\r\n\x1a\n\x00\x00", want: "image/png"},
		{name: "jpeg", head: "\xff\xd8\xff\xe0JFIF", want: "image/jpeg"},
		{name: "gif", head: "GIF89a....", want: "image/gif"},
		{name: "webp", head: "RIFF\x10\x00\x00\x00WEBPVP8 ", want: "image/webp"},
		{name: "riff but wave", head: "RIFF\x10\x00\x00\x00WAVEfmt ", want: "audio/wave"},
		{name: "text named .png", head: "hello, I am not a picture\n", want: "text/plain"},
		{name: "html", head: "<html><script>", want: "text/html"},
		{name: "nothing", head: "", want: "text/plain"},
		{name: "binary", head: "\x00\x01\x02\x03", want: "application/octet-stream"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, upload.Detect([]byte(tc.head)))
		})
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"cat.png", "été 2024.jpg", "a b (1).gif", ".hidden"} {
		assert.NoError(t, upload.CheckName(ok), ok)
	}
	for _, bad := range []string{"", ".", "..", "a/b.png", `a\b.png`, "../x", "a\x00.png", "a\nb.png", "a\x7f.png", "a\u2028b", "\xff.png", string(make([]byte, 256))} {
		assert.ErrorIs(t, upload.CheckName(bad), upload.ErrName, "%q", bad)
	}
}

func TestAccept(t *testing.T) {
	a := upload.Accept{Types: []string{"image/png", "application/*"}, MaxSize: 10}
	assert.True(t, a.Allows("image/png"))
	assert.True(t, a.Allows("application/pdf"))
	assert.False(t, a.Allows("image/gif"))
	assert.False(t, a.Allows("text/plain"))
	assert.Equal(t, 1, a.Files())
	assert.NoError(t, a.Check())
	assert.Error(t, upload.Accept{MaxSize: 1}.Check())
	assert.Error(t, upload.Accept{Types: []string{"image/png"}}.Check())
}
