package actions

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
)

// rows is what countRows counts, and slow lets a test hold it back.
var (
	rows = map[string]int{"2026-11": 42}
	slow = make(chan struct{}, 1)
)

// countRows stands for a slow query.
func countRows(ctx context.Context, month string) (int, error) {
	select {
	case <-slow:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	n, ok := rows[month]
	if !ok {
		return 0, livetemplate.UserErrorf("No data for %s.", month)
	}
	return n, nil
}

// quote:async
type Report struct {
	Loading bool
	Rows    int
	Error   string
}

func (r *Report) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "run":
		r.Loading, r.Error = true, ""
		month := ctx.GetString("month") // read ctx now: it is valid only during Change
		return ctx.Async("ran", func(c context.Context) (map[string]any, error) {
			n, err := countRows(c, month) // no lock is held; honour c
			if err != nil {
				return nil, err
			}
			return map[string]any{"rows": n}, nil
		})
	case "ran":
		r.Loading = false
		r.Error = ctx.GetString("error")
		if r.Error != "" {
			return nil
		}
		n, err := ctx.GetInt("rows")
		r.Rows = n
		if err == nil {
			err = ctx.PushEvent("counted", n) // for a hook's chart, say
		}
		return err
	}
	return livetemplate.ErrUnknownAction
}

// quote:end

const reportPage = `<!DOCTYPE html><html><body>
{{if .Loading}}<p id="report" aria-busy="true">Counting…</p>
{{else if .Error}}<p id="report" role="alert">{{.Error}}</p>
{{else}}<p id="report">{{.Rows}} rows</p>{{end}}
<button id="count" lvt-click="run" lvt-data-month="2026-11">Count</button>
<button id="count-dec" lvt-click="run" lvt-data-month="2026-12">Count December</button>
</body></html>`

func TestAsyncReport(t *testing.T) {
	tmpl, err := livetemplate.New("report", livetemplate.WithText(reportPage))
	require.NoError(t, err)
	srv := livetest.Start(t, livetest.App(t).Handle(tmpl, livetemplate.PerConnection(&Report{})))
	p := srv.Open("/")

	// quote:events
	require.NoError(t, p.Click("#count"))
	assert.Equal(t, "Counting…", p.Text("#report")) // the action's own change
	slow <- struct{}{}                              // the query ends
	require.NoError(t, p.WaitText("#report", "42 rows", time.Second))
	e, err := p.WaitEvent("counted", time.Second)
	require.NoError(t, err)
	assert.JSONEq(t, `42`, string(e.Payload))
	// quote:end

	require.NoError(t, p.Click("#count-dec"))
	slow <- struct{}{}
	require.NoError(t, p.WaitText("#report", "No data for 2026-12.", time.Second))
}
