// Command todos is a to-do list: the list is shared by every tab of a
// browser, while each tab keeps its own filter and the item it is editing.
//
//	go run ./examples/todos -addr :8080
//
// With -redis, several instances serve the same visitors and state (try
// two, on ports 8081 and 8082, and open both in one browser):
//
//	go run ./examples/todos -addr :8081 -redis redis://127.0.0.1:6379/0
//	go run ./examples/todos -addr :8082 -redis redis://127.0.0.1:6379/0
//
// Give them one -secret (or $LIVETEMPLATE_SECRET) so that visitors keep
// their identities whatever happens to Redis, and, behind a reverse proxy,
// -trusted-proxy with its address (docs/instances.md).
//
// The page itself (stores, template, NewHandler) is the package in
// todos/; this file makes the App it is mounted on and serves it until
// the process is told to stop.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/internal/ops"
	"github.com/lvtgo/livetemplate/examples/todos/todos"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	of := ops.Register(flag.CommandLine)
	flag.Parse()
	logger, err := of.Logger(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, of, logger); err != nil {
		logger.Error("todos failed", "err", err)
		os.Exit(1)
	}
}

// run serves the to-do list on addr until ctx ends.
func run(ctx context.Context, addr string, of *ops.Flags, logger *slog.Logger) error {
	opts, closeOpts, err := of.Options(ctx, logger)
	if err != nil {
		return err
	}
	defer closeOpts() // after Serve has shut the app down
	app, err := livetemplate.NewApp(append(opts, livetemplate.WithLogger(logger))...)
	if err != nil {
		return err
	}
	h, err := todos.NewHandler(app)
	if err != nil {
		_ = app.Close()
		return err
	}
	stopOps, err := of.Start(app, logger)
	if err != nil {
		_ = app.Close()
		return err
	}
	defer stopOps() // after Serve: /readyz answers 503 while the app drains
	logger.Info("serving", "addr", addr)
	// When ctx ends (Ctrl-C, SIGTERM), Serve drains the app (-drain), then
	// shuts the server and the app's live connections down together.
	return livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
}
