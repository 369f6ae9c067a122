package livetemplate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lvtgo/livetemplate"
)

// A clock pushed to every page by one instance of the app at a time: with
// several instances sharing a session store and a bus, each tick is
// published once, not once per instance.
func ExampleApp_Lead() {
	app, err := livetemplate.NewApp()
	if err != nil {
		fmt.Println(err)
		return
	}
	tmpl := livetemplate.Must(livetemplate.New("clock", livetemplate.WithText(`<p>{{.Now}}</p>`)))
	app.Handle(tmpl, livetemplate.Global(&Clock{}))

	leading := make(chan struct{})
	err = app.Lead("clock", func(ctx context.Context) {
		close(leading)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done(): // the lease was lost, or the app shuts down
				fmt.Println("stopped leading")
				return
			case now := <-tick.C:
				_, _ = app.Broadcast(ctx, livetemplate.All(), "tick", map[string]any{"now": now.Format(time.TimeOnly)})
			}
		}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	<-leading // with one instance, at once
	fmt.Println("leading")
	_ = app.Close()
	// Output:
	// leading
	// stopped leading
}
