package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/lvtgo/livetemplate/examples/internal/ops"
	"github.com/lvtgo/livetemplate/examples/internal/ops/opstest"
)

// The operations flags: -ops-addr serves /metrics, /healthz and /readyz,
// -drain holds /readyz at 503 while the app drains, -log-format json.
func TestRunServesTheOperationsPort(t *testing.T) {
	opstest.Run(t, opstest.Case{Path: "/login", Live: false, Run: func(ctx context.Context, addr string, of *ops.Flags, logger *slog.Logger) error {
		return run(ctx, addr, "admin", "", of, logger)
	}})
}
