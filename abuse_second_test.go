package livetemplate_test

// The attacker's second pass (issue 18, item 10): what round 1's fixes
// left open, each probed the way the attacker did, against a real server
// on 127.0.0.1, with the figure before the fix in the comment.

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
)

// bigPage renders about 200 KB for every viewer: the rows of a shared
// store, and who views it, so that no two pages share a render.
const bigPage = `<body><p id="me">{{.viewer.UserID}}</p><ul>{{range .rows.Rows}}<li>{{$.viewer.UserID}} {{.}}</li>{{end}}</ul></body>`

// rows is a read-only global store of many rows.
type rows struct{ Rows []string }

func (r *rows) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

// Item 10.1: pages kept for a reconnect are bounded in bytes. Before the
// fix, 2,000 chat pages joined and closed raised RSS from 19 to 880 MB: a
// closed page kept its whole render for five minutes. Now the kept trees
// are bounded in bytes (32 MiB of trees), the oldest forgotten first.
func TestAbuseClosedPagesAreBoundedInBytes(t *testing.T) {
	const pages, perRow = 400, 60
	var r rows
	for i := range 2000 {
		r.Rows = append(r.Rows, fmt.Sprintf("%04d %s", i, strings.Repeat("x", perRow)))
	}
	app := on(t, livetemplate.WithLogger(quietLogger()),
		livetemplate.WithLimits(livetemplate.Limits{AddressPagesPerSecond: -1, MaxConnsPerAddress: -1}))
	tmpl := livetemplate.Must(livetemplate.New("big", livetemplate.WithText(bigPage)))
	srv := serve(t, app.Handle(tmpl, livetemplate.Global(&r)))

	warm := newBrowser(t, srv).open("/")
	size := len(warm.html())
	warm.ws.CloseNow()
	before, rssBefore := heapInUse(), rss()
	for range pages {
		p := newBrowser(t, srv).open("/") // a new browser: a new viewer, its own render
		require.NoError(t, p.ws.CloseNow())
	}
	after := heapInUse()
	grew := float64(int64(after)-int64(before)) / (1 << 20)
	t.Logf("%d pages of %d KB joined and closed: the heap grew by %.1f MiB, RSS by %.1f MiB (%.1f MiB of HTML in all)",
		pages, size>>10, grew, float64(rss()-rssBefore)/(1<<20), float64(pages*size)/(1<<20))
	require.Greater(t, pages*size, 64<<20, "the pages hold more than the bound")
	assert.Less(t, grew, 64.0, "the kept trees are bounded (32 MiB of trees), whatever the pages hold")
}

// Item 10.2: one address holding never-joining sockets takes at most a
// share of the unjoined pool. Before the fix, an address with 1,000 such
// sockets took the whole pool: a victim from another address got close
// 1013 on 13 of 16 tries, and never fell back.
func TestAbuseOneAddressCannotTakeTheUnjoinedPool(t *testing.T) {
	srv := newCounterServer(t, livetemplate.WithLimits(livetemplate.Limits{
		MaxUnjoined: 64, MaxConnsPerAddress: -1, AddressPagesPerSecond: -1, JoinTimeout: time.Minute}))
	attacker := newBrowser(t, srv)
	// Reading with a deadline would close the socket (coder/websocket):
	// each socket is read until it ends, and the refusals counted.
	var refused atomic.Int32
	for range 64 {
		p := attacker.dialRaw("/")
		go func() { // ends when the socket does (refused, or closed by the test's cleanup)
			_, _, err := p.ws.Read(context.Background())
			if websocket.CloseStatus(err) == 1013 {
				refused.Add(1)
			}
		}()
	}
	require.Eventually(t, func() bool { return refused.Load() >= 64-8 }, 10*time.Second, 10*time.Millisecond)
	held := 64 - int(refused.Load())
	t.Logf("one address: %d of 64 sockets held without joining, %d refused with 1013", held, refused.Load())
	assert.Equal(t, 8, held, "a sixteenth of the pool, at least 8")

	// Another address: the test's browsers all come from 127.0.0.1, so the
	// victim is served through another loopback address.
	victim := attacker.from("127.0.0.2")
	ok := 0
	for range 16 {
		p := victim.open("/")
		if strings.Contains(p.html(), "Count: 0") {
			ok++
		}
		require.NoError(t, p.ws.CloseNow())
	}
	t.Logf("a victim from another address: %d of 16 joins succeeded", ok)
	assert.Equal(t, 16, ok)
}

// rss returns the process's resident set in bytes (Linux; 0 elsewhere),
// for the log: the attacker measured RSS.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
