// Command gallery is a shared photo gallery: every tab of a browser sees
// the photos any of them uploads, live. It takes PNG, JPEG, GIF and WebP
// files up to 32 MB, judged from their content, streamed to a directory in
// chunks with a progress bar (docs/uploads.md).
//
//	go run ./examples/gallery -addr :8080 -dir /tmp/gallery
//
// The operations flags (-redis, -secret, -trusted-proxy, -ops-addr, …)
// are the other examples'; several instances need one -dir they all see
// (a shared volume), or a storage adapter of a bucket.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/gallery/gallery"
	"github.com/lvtgo/livetemplate/examples/internal/ops"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "livetemplate-gallery"), "directory the photos are stored in")
	of := ops.Register(flag.CommandLine)
	flag.Parse()
	logger, err := of.Logger(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *dir, of, logger); err != nil {
		logger.Error("gallery failed", "err", err)
		os.Exit(1)
	}
}

// run serves the gallery on addr, storing photos in dir, until ctx ends.
func run(ctx context.Context, addr, dir string, of *ops.Flags, logger *slog.Logger) error {
	st, err := gallery.Storage(dir)
	if err != nil {
		return err
	}
	opts, closeOpts, err := of.Options(ctx, logger)
	if err != nil {
		return err
	}
	defer closeOpts() // after Serve has shut the app down
	app, err := livetemplate.NewApp(append(opts, livetemplate.WithLogger(logger), livetemplate.WithUploads(st, nil))...)
	if err != nil {
		return err
	}
	h, err := gallery.NewHandler(app, st)
	if err != nil {
		_ = app.Close()
		return err
	}
	stopOps, err := of.Start(app, logger)
	if err != nil {
		_ = app.Close()
		return err
	}
	defer stopOps()
	logger.Info("serving", "addr", addr, "dir", dir)
	return livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
}
