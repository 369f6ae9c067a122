package livetemplate_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stream uploads size bytes (a PNG signature, then a pattern: nothing is
// held in memory but the chunk being sent) as photo of album.add over p's
// WebSocket, with window chunks in flight, and returns the batch id.
func (p *page) stream(name string, size int64, window int) string {
	p.tb.Helper()
	p.ref++
	p.send(map[string]any{"t": "upload", "ref": p.ref, "name": "album.add", "field": "photo", "files": []map[string]any{{"name": name, "size": size}}})
	st := p.nextWithin("upload", 60*time.Second)
	require.Nil(p.tb, st.Error, "%+v", st.Error)
	id, chunk := st.Files[0], int64(st.Chunk)
	count := (size + chunk - 1) / chunk
	buf := make([]byte, chunk)
	for i := range buf {
		buf[i] = byte(i)
	}
	copy(buf, "\x89PNG\r\n\x1a\n")
	var sent, acked int64
	for acked < count {
		for sent < count && sent-acked < int64(window) {
			n := min(chunk, size-sent*chunk)
			p.send(map[string]any{"t": "chunk", "id": id, "n": sent, "b": buf[:n]})
			if sent == 0 {
				buf[0] = 0 // only the first chunk starts with the signature
			}
			sent++
		}
		m := p.nextWithin("upload", 60*time.Second)
		require.Nil(p.tb, m.Error, "%+v", m.Error)
		acked = int64(m.N)
	}
	return st.Batch
}

// nextWithin is next with a longer wait for each message: fifty uploads
// at once under the race detector on a busy machine are slow.
func (p *page) nextWithin(t string, d time.Duration) upMsg {
	p.tb.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		_, raw, err := p.ws.Read(ctx)
		cancel()
		require.NoError(p.tb, err)
		var m upMsg
		require.NoError(p.tb, json.Unmarshal(raw, &m))
		if m.T == t {
			return m
		}
		p.apply(raw)
	}
}

// vmRSS returns the process's resident set in bytes (Linux), 0 elsewhere.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// peak samples the resident set and the heap in use until stop is called,
// and returns their highest values.
func peak() (stop func() (rssMax, heapMax uint64)) {
	var (
		wg   sync.WaitGroup
		done = make(chan struct{})
		r, h uint64
	)
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r, h = max(r, uint64(vmRSS())), max(h, ms.HeapInuse)
	}
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		sample()
		return r, h
	}
}

// TestUploadMemory streams 20 MB and, with LVT_UPLOAD_BIG=1, 1 GB through
// a real WebSocket into a directory, and logs the process's resident set
// and heap (server and test client together) at their peak against the
// idle baseline: they do not grow with the file.
func TestUploadMemory(t *testing.T) {
	sizes := []int64{20 << 20}
	if os.Getenv("LVT_UPLOAD_BIG") == "1" {
		sizes = append(sizes, 1<<30)
	}
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dMB", size>>20), func(t *testing.T) {
			bigAlbum(t) // before the page mounts: Accepts is read then
			b, dir := uploadServer(t, nil)
			p := b.open("/")
			runtime.GC()
			base, baseHeap := uint64(vmRSS()), heapInuse()
			stop := peak()
			start := time.Now()
			batch := p.stream("big.png", size, 8)
			took := time.Since(start)
			r, h := stop()
			p.ref++
			p.send(map[string]any{"t": "action", "ref": p.ref, "name": "album.add", "uploads": []string{batch}})
			require.Nil(t, p.next("reply").Error)
			fi, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Len(t, fi, 1)
			info, err := fi[0].Info()
			require.NoError(t, err)
			assert.Equal(t, size, info.Size())
			t.Logf("%d MB in %v (%.0f MB/s): RSS %.1f MiB idle, %.1f MiB at peak (+%.1f MiB); heap in use %.1f MiB idle, %.1f MiB at peak",
				size>>20, took.Round(time.Millisecond), float64(size)/took.Seconds()/(1<<20),
				mib(base), mib(r), mib(r)-mib(base), mib(baseHeap), mib(h))
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// bigAlbum lets the album take files of any size for this test.
func bigAlbum(t *testing.T) {
	t.Helper()
	old := albumMax
	albumMax = 2 << 30
	t.Cleanup(func() { albumMax = old })
}

// Fifty uploads at once, each from its own visitor over its own socket,
// all arrive whole.
func TestFiftyUploadsAtOnce(t *testing.T) {
	b, dir := uploadServer(t, nil)
	const n, size = 50, 100_000
	pages := make([]*page, n)
	for i := range pages {
		pages[i] = newBrowser(t, b.srv).open("/")
	}
	var wg sync.WaitGroup
	batches := make([]string, n)
	for i, p := range pages {
		wg.Go(func() { batches[i] = p.stream(fmt.Sprintf("p%d.png", i), size, 4) })
	}
	wg.Wait()
	for i, p := range pages {
		p.ref++
		p.send(map[string]any{"t": "action", "ref": p.ref, "name": "album.add", "uploads": []string{batches[i]}})
		for {
			if m := p.nextWithin("reply", 60*time.Second); m.Ref == p.ref {
				require.Nil(t, m.Error)
				break
			}
		}
	}
	assert.Len(t, files(t, dir), n)
}
