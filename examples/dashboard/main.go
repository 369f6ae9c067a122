// Command dashboard shows announcements live to exactly the users they are
// for: the administrator (-admin, default "admin") writes them at /admin to
// everyone, to one user or to one team, and sees who is connected; every
// other signed-in user sees, at /, the announcements addressed to them.
// Who is in which team is the server's to say (-teams), not the user's.
//
//	go run ./examples/dashboard -addr :8080
//
// With -redis, several instances share the announcements and the counts;
// give them the same -secret (at least 32 bytes), so that a sign-in on one
// is valid on all (try two, on ports 8081 and 8082):
//
//	go run ./examples/dashboard -addr :8081 -redis redis://127.0.0.1:6379/0 -secret 0123456789abcdef0123456789abcdef
//	go run ./examples/dashboard -addr :8082 -redis redis://127.0.0.1:6379/0 -secret 0123456789abcdef0123456789abcdef
//
// The secret may come from $LIVETEMPLATE_SECRET instead (better: the
// process list shows flags). Behind a reverse proxy, add -trusted-proxy
// with its address (docs/instances.md runs the chat behind nginx).
//
// The pages themselves (stores, templates, routes) are the package in
// dashboard/; the sign-in is package examples/login; this file makes the
// App they are mounted on and serves them until the process is told to
// stop.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/dashboard/dashboard"
	"github.com/lvtgo/livetemplate/examples/internal/ops"
	"github.com/lvtgo/livetemplate/examples/login"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	admin := flag.String("admin", "admin", "the user name of the administrator")
	teams := flag.String("teams", dashboard.DefaultTeams, "who is in which team, as NAME=TEAM,…: a user's team is set at sign-in, never chosen")
	of := ops.Register(flag.CommandLine)
	flag.Parse()
	logger, err := of.Logger(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *admin, *teams, of, logger); err != nil {
		logger.Error("dashboard failed", "err", err)
		os.Exit(1)
	}
}

// run serves the dashboard on addr until ctx ends.
func run(ctx context.Context, addr, admin, teams string, of *ops.Flags, logger *slog.Logger) error {
	key, err := login.Key(of.Secret(), logger)
	if err != nil {
		return err
	}
	table, err := dashboard.ParseTeams(teams)
	if err != nil {
		return err
	}
	lg, err := login.New(login.Options{Key: key, Title: "Dashboard", GroupOf: table.Of, Logger: logger})
	if err != nil {
		return err
	}
	opts, closeOpts, err := of.Options(ctx, logger)
	if err != nil {
		return err
	}
	defer closeOpts() // after Serve has shut the app down
	// After the options of -redis, whose anonymous authenticator this replaces.
	app, err := livetemplate.NewApp(append(opts, livetemplate.WithLogger(logger), livetemplate.WithAuthenticator(lg.Authenticator()))...)
	if err != nil {
		return err
	}
	h, err := dashboard.NewHandler(app, lg, admin)
	if err == nil {
		err = dashboard.StartClock(app, time.Second) // one instance at a time pushes it
	}
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
	logger.Info("serving", "addr", addr, "admin", admin)
	// When ctx ends (Ctrl-C, SIGTERM), Serve drains the app (-drain), then
	// shuts the server and the app's live connections down together.
	return livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
}
