// Command todos is a to-do list: the list is shared by every tab of a
// browser, while each tab keeps its own filter and the item it is editing.
//
//	go run ./examples/todos -addr :8080
//
// The page itself (stores, template, handler) is the package in todos/;
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
	"github.com/lvtgo/livetemplate/examples/todos/todos"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	h, err := newHandler()
	if err != nil {
		slog.Error("cannot build the page", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	h, err := todos.NewHandler(opts...)
	if err != nil {
		return nil, err
	}
	return h, nil
}
