package livetemplate_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/telemetry/telemetrytest"
	"github.com/lvtgo/livetemplate/upload"
	"github.com/lvtgo/livetemplate/upload/localdir"
)

// album takes up to two PNG or GIF photos at a time.
type album struct {
	Photos []string
	Fail   bool
}

func (a *album) Accepts() map[string]upload.Accept {
	return map[string]upload.Accept{"photo": {Types: []string{"image/png", "image/gif"}, MaxSize: albumMax, MaxFiles: 2}}
}

// albumMax is the album's MaxSize (a load test raises it).
var albumMax int64 = 200 << 10

func (a *album) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "add" {
		return livetemplate.ErrUnknownAction
	}
	if ctx.GetString("caption") == "fail" {
		return livetemplate.UserErrorf("no, thanks")
	}
	for _, f := range ctx.Files("photo") {
		a.Photos = append(a.Photos, f.Name+"="+f.Type+"="+f.Key)
	}
	return nil
}

// note takes no files.
type note struct{ Text string }

func (n *note) Change(*livetemplate.ActionContext) error { return nil }

const albumPage = `<body><form lvt-submit="album.add"><input type="file" name="photo"></form><ul>{{range .album.Photos}}<li>{{.}}</li>{{end}}</ul>{{.note.Text}}</body>`

// uploadServer serves an album page whose files go to a directory it
// returns.
func uploadServer(t *testing.T, lim *upload.Options, opts ...livetemplate.Option) (*browser, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := localdir.New(dir, nil)
	require.NoError(t, err)
	app := on(t, append([]livetemplate.Option{livetemplate.WithUploads(st, lim), livetemplate.WithLogger(quietLogger())}, opts...)...)
	tmpl, err := livetemplate.New("album", livetemplate.WithText(albumPage))
	require.NoError(t, err)
	srv := serve(t, app.Handle(tmpl, &album{}, &note{}))
	return newBrowser(t, srv), dir
}

// upMsg is a server message as upload tests read it.
type upMsg struct {
	T      string                          `json:"t"`
	Ref    int64                           `json:"ref"`
	Seq    uint64                          `json:"seq"`
	Batch  string                          `json:"batch"`
	Files  []string                        `json:"files"`
	Chunk  int                             `json:"chunk"`
	Later  bool                            `json:"later"`
	ID     string                          `json:"id"`
	N      uint64                          `json:"n"`
	Done   bool                            `json:"done"`
	Error  *struct{ Code, Message string } `json:"error"`
	Fields map[string]string               `json:"fields"`
	Patch  json.RawMessage                 `json:"patch"`
}

// next reads messages until one of type t (the others are applied).
func (p *page) next(t string) upMsg {
	p.tb.Helper()
	for {
		raw := p.readRaw()
		var m upMsg
		require.NoError(p.tb, json.Unmarshal(raw, &m))
		if m.T == t {
			if m.Patch != nil {
				p.apply(raw)
			}
			return m
		}
		p.apply(raw)
	}
}

// apply applies a tree or patch message read raw.
func (p *page) apply(raw []byte) {
	p.tb.Helper()
	var m serverMsg
	require.NoError(p.tb, json.Unmarshal(raw, &m))
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case m.T == "tree":
		t, err := diff.ParseTree(m.Tree)
		require.NoError(p.tb, err)
		p.tree, p.seq = t, m.Seq
	case m.Patch != nil:
		t, err := p.tree.Apply(m.Patch)
		require.NoError(p.tb, err)
		p.tree, p.seq = t, m.Seq
	}
}

func pngOf(n int) []byte {
	b := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("x"), n-8)...)
	for i := 8; i < n; i++ {
		b[i] = byte(i)
	}
	return b
}

// start declares files for field photo of album.add.
func (p *page) start(field string, files ...map[string]any) upMsg {
	p.tb.Helper()
	p.ref++
	p.send(map[string]any{"t": "upload", "ref": p.ref, "name": "album.add", "field": field, "files": files})
	return p.next("upload")
}

// chunks sends content's chunks from chunk n on, each waiting for its
// acknowledgement, and returns the last one.
func (p *page) chunks(id string, content []byte, size, from int) upMsg {
	p.tb.Helper()
	var m upMsg
	for n := from; n*size < len(content); n++ {
		p.send(map[string]any{"t": "chunk", "id": id, "n": n, "b": content[n*size : min(len(content), (n+1)*size)]})
		m = p.next("upload")
		if m.Error != nil {
			return m
		}
	}
	return m
}

// files lists the files of dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestUploadOverWebSocket(t *testing.T) {
	rec := &telemetrytest.Recorder{}
	b, dir := uploadServer(t, nil, livetemplate.WithTelemetry(rec))
	p := b.open("/")
	content := pngOf(100_000)
	st := p.start("photo", map[string]any{"name": "sun.png", "size": len(content)})
	require.Nil(t, st.Error)
	require.Len(t, st.Files, 1)
	require.Positive(t, st.Chunk)
	last := p.chunks(st.Files[0], content, st.Chunk, 0)
	require.True(t, last.Done, "%+v", last)
	p.ref++
	p.send(map[string]any{"t": "action", "ref": p.ref, "name": "album.add", "data": map[string]any{}, "uploads": []string{st.Batch}})
	r := p.next("reply")
	require.Nil(t, r.Error)
	assert.Contains(t, p.html(), "<li>sun.png=image/png=")
	stored := files(t, dir)
	require.Len(t, stored, 1)
	got, err := os.ReadFile(dir + "/" + stored[0])
	require.NoError(t, err)
	assert.Equal(t, content, got)

	// Telemetry: the stored file, then a refusal before any byte.
	st = p.start("photo", map[string]any{"name": "huge.png", "size": albumMax + 1})
	require.NotNil(t, st.Error)
	ups := rec.Of(telemetry.Upload)
	require.Len(t, ups, 2)
	assert.Equal(t, telemetry.OK, ups[0].Outcome)
	assert.Equal(t, int64(len(content)), ups[0].Bytes)
	assert.Positive(t, ups[0].Duration)
	assert.Equal(t, "too_large", ups[1].Outcome)
	assert.Zero(t, ups[1].Bytes)
}

func TestUploadResumesAfterReconnect(t *testing.T) {
	b, dir := uploadServer(t, nil)
	p := b.open("/")
	content := pngOf(150_000)
	st := p.start("photo", map[string]any{"name": "moon.png", "size": len(content)})
	id := st.Files[0]
	ack := p.chunks(id, content[:2*st.Chunk], st.Chunk, 0)
	require.Equal(t, uint64(2), ack.N)
	_ = p.ws.CloseNow() // the connection drops mid-upload

	q := b.dial("/", p.token)
	q.ref = p.ref
	q.send(map[string]any{"t": "resume", "id": id})
	m := q.next("upload")
	require.Nil(t, m.Error)
	assert.Equal(t, uint64(2), m.N, "continues after the last chunk acknowledged")
	last := q.chunks(id, content, st.Chunk, int(m.N))
	require.True(t, last.Done)
	q.ref++
	q.send(map[string]any{"t": "action", "ref": q.ref, "name": "album.add", "uploads": []string{st.Batch}})
	require.Nil(t, q.next("reply").Error)
	assert.Contains(t, q.html(), "moon.png")
	assert.Len(t, files(t, dir), 1)
}

func TestUploadRefusals(t *testing.T) {
	b, dir := uploadServer(t, nil)
	p := b.open("/")

	m := p.start("photo", map[string]any{"name": "big.png", "size": 300 << 10})
	require.NotNil(t, m.Error, "declared over the limit: refused before any byte")
	assert.Equal(t, "invalid", m.Error.Code)
	assert.Equal(t, `"big.png" is larger than 200 KB.`, m.Fields["photo"])

	m = p.start("photo", map[string]any{"name": "a.png", "size": 1}, map[string]any{"name": "b.png", "size": 1}, map[string]any{"name": "c.png", "size": 1})
	assert.Equal(t, "Choose at most 2 files.", m.Fields["photo"])

	m = p.start("photo", map[string]any{"name": "../../etc/passwd", "size": 10})
	assert.Contains(t, m.Fields["photo"], "name is not allowed")

	m = p.start("photo", map[string]any{"name": "empty.png", "size": 0})
	assert.Equal(t, `"empty.png" is empty.`, m.Fields["photo"])

	m = p.start("avatar", map[string]any{"name": "a.png", "size": 10})
	assert.Equal(t, "This field accepts no files.", m.Fields["avatar"])

	p.ref++
	p.send(map[string]any{"t": "upload", "ref": p.ref, "name": "note.x", "field": "photo", "files": []map[string]any{{"name": "a.png", "size": 10}}})
	m = p.next("upload")
	assert.Equal(t, "This field accepts no files.", m.Fields["photo"], "a store that accepts none")

	text := []byte(strings.Repeat("not a picture at all. ", 10))
	m = p.start("photo", map[string]any{"name": "fake.png", "size": len(text)})
	require.Nil(t, m.Error)
	m = p.chunks(m.Files[0], text, m.Chunk, 0)
	require.NotNil(t, m.Error)
	assert.Equal(t, `"fake.png" is not of an accepted type (image/png, image/gif).`, m.Fields["photo"])

	content := pngOf(100_000)
	m = p.start("photo", map[string]any{"name": "a.png", "size": len(content)})
	id, size := m.Files[0], m.Chunk
	p.send(map[string]any{"t": "chunk", "id": id, "n": 1, "b": content[size : 2*size]})
	m = p.next("upload")
	assert.Contains(t, m.Fields["photo"], "out of order")
	assert.Empty(t, files(t, dir), "nothing stored, no temporary file")
}

func TestUploadOfAnotherVisitor(t *testing.T) {
	b, _ := uploadServer(t, nil)
	p, q := b.open("/"), newBrowser(t, b.srv).open("/") // another visitor
	m := p.start("photo", map[string]any{"name": "a.png", "size": 100})
	q.send(map[string]any{"t": "chunk", "id": m.Files[0], "n": 0, "b": pngOf(100)})
	r := q.next("upload")
	require.NotNil(t, r.Error, "a chunk meant for another visitor's upload")
	q.ref++
	q.send(map[string]any{"t": "action", "ref": q.ref, "name": "album.add", "uploads": []string{m.Batch}})
	assert.NotNil(t, q.next("reply").Error)
}

func TestFailedActionKeepsNoFile(t *testing.T) {
	b, dir := uploadServer(t, nil)
	p := b.open("/")
	content := pngOf(1000)
	st := p.start("photo", map[string]any{"name": "a.png", "size": len(content)})
	require.True(t, p.chunks(st.Files[0], content, st.Chunk, 0).Done)
	assert.Len(t, files(t, dir), 1)
	p.ref++
	p.send(map[string]any{"t": "action", "ref": p.ref, "name": "album.add", "data": map[string]any{"caption": "fail"}, "uploads": []string{st.Batch}})
	r := p.next("reply")
	require.NotNil(t, r.Error)
	assert.Empty(t, files(t, dir))
}

func TestCancelLeavesNoFile(t *testing.T) {
	b, dir := uploadServer(t, nil)
	p := b.open("/")
	content := pngOf(150_000)
	st := p.start("photo", map[string]any{"name": "a.png", "size": len(content)})
	p.chunks(st.Files[0], content[:st.Chunk], st.Chunk, 0)
	assert.Len(t, files(t, dir), 1, "a temporary file while it uploads")
	p.send(map[string]any{"t": "cancel", "id": st.Files[0]})
	p.send(map[string]any{"t": "resume", "id": st.Files[0]})
	m := p.next("upload")
	require.NotNil(t, m.Error, "cancelled")
	assert.Empty(t, files(t, dir))
}

func TestStalledUploadLeavesNoFile(t *testing.T) {
	b, dir := uploadServer(t, &upload.Options{StallTimeout: 50 * time.Millisecond})
	p := b.open("/")
	content := pngOf(150_000)
	st := p.start("photo", map[string]any{"name": "a.png", "size": len(content)})
	p.chunks(st.Files[0], content[:st.Chunk], st.Chunk, 0)
	_ = p.ws.CloseNow() // and never comes back
	require.Eventually(t, func() bool { return len(files(t, dir)) == 0 }, 5*time.Second, 10*time.Millisecond)
}

// post sends one HTTP message of page token and returns the answer.
func (b *browser) postUp(token string, msg map[string]any) (int, upMsg) {
	b.tb.Helper()
	msg["token"] = token
	js, err := json.Marshal(msg)
	require.NoError(b.tb, err)
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/", bytes.NewReader(js))
	require.NoError(b.tb, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", b.srv.URL)
	resp, err := b.hc.Do(req)
	require.NoError(b.tb, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.tb, err)
	var m upMsg
	if len(body) > 0 {
		require.NoError(b.tb, json.Unmarshal(body, &m), string(body))
	}
	return resp.StatusCode, m
}

func TestUploadOverHTTP(t *testing.T) {
	b, dir := uploadServer(t, nil)
	_, token := b.get("/")
	status, _ := b.postUp(token, map[string]any{"t": "sync"})
	require.Equal(t, http.StatusOK, status)
	content := pngOf(100_000)
	_, st := b.postUp(token, map[string]any{"t": "upload", "ref": 1, "name": "album.add", "field": "photo", "files": []map[string]any{{"name": "http.png", "size": len(content)}}})
	require.Nil(t, st.Error)
	var m upMsg
	for n := 0; n*st.Chunk < len(content); n++ {
		_, m = b.postUp(token, map[string]any{"t": "chunk", "id": st.Files[0], "n": n, "b": content[n*st.Chunk : min(len(content), (n+1)*st.Chunk)]})
		require.Nil(t, m.Error)
	}
	require.True(t, m.Done)
	status, m = b.postUp(token, map[string]any{"t": "action", "ref": 2, "name": "album.add", "uploads": []string{st.Batch}})
	require.Equal(t, http.StatusOK, status)
	require.Nil(t, m.Error)
	assert.Len(t, files(t, dir), 1)
}

func TestAcceptingStoreNeedsStorage(t *testing.T) {
	app := on(t)
	tmpl, err := livetemplate.New("album", livetemplate.WithText(albumPage))
	require.NoError(t, err)
	_, err = app.Mount(tmpl, &album{}, &note{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithUploads")
}
