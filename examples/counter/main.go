// Command counter is the smallest livetemplate page: a shared counter that
// every tab of a browser sees change.
//
//	go run ./examples/counter -addr :8080
//
// With -redis, several instances serve the same visitors and state (try
// two, on ports 8081 and 8082, and open both in one browser):
//
//	go run ./examples/counter -addr :8081 -redis redis://127.0.0.1:6379/0
//	go run ./examples/counter -addr :8082 -redis redis://127.0.0.1:6379/0
//
// The page itself (state, template, handler) is the package in counter/;
// this file serves it until the process is told to stop.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/counter/counter"
	"github.com/lvtgo/livetemplate/examples/instances"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	redisURL := flag.String("redis", "", "Redis URL (redis://127.0.0.1:6379/0): share state with every instance given the same one")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var opts []livetemplate.Option
	if *redisURL != "" {
		ropts, closeRedis, err := instances.Redis(ctx, *redisURL, slog.Default())
		if err != nil {
			slog.Error("cannot use Redis", "err", err)
			os.Exit(1)
		}
		defer closeRedis()
		opts = ropts
	}
	h, err := newHandler(opts...)
	if err != nil {
		slog.Error("cannot build the page", "err", err)
		os.Exit(1)
	}
	slog.Info("serving", "addr", *addr)
	// Serve shuts the server and the page's live connections down together
	// when ctx ends (Ctrl-C).
	if err := livetemplate.Serve(ctx, livetemplate.NewServer(*addr, h), h); err != nil {
		slog.Error("server failed", "err", err)
		os.Exit(1)
	}
}

// newHandler builds the page's handler; the tests give it options.
func newHandler(opts ...livetemplate.Option) (livetemplate.LiveHandler, error) {
	h, err := counter.NewHandler(opts...)
	if err != nil {
		return nil, err
	}
	return h, nil
}
