// Package ops gives every example what running it in production takes: the
// flags -log-format (text or json), -ops-addr (an operations server serving
// /metrics, /healthz and /readyz), -drain (how long a shutdown drains),
// -redis (the Redis server several instances share, wired by package
// cluster), -secret (the application's key; or $LIVETEMPLATE_SECRET) and
// -trusted-proxy (the proxies in front), and the logger, app options and
// operations server they ask for.
//
// The secret is used as it is, as bytes: any string of at least 32 bytes,
// best made with "openssl rand -hex 32" (64 characters, 256 bits). It is
// never logged; prefer the environment variable to the flag, which other
// users of the machine can read from the process list.
//
// /healthz and /readyz are the app's own probes (App.Health). /metrics is
// a small exposition in the Prometheus text format, written with the
// standard library only ([Metrics]), of the metrics that
// telemetry/promsink registers, under the same names: the examples live in
// the library's module, which takes no dependency on the Prometheus client.
// A real deployment passes a promsink.Sink to livetemplate.WithTelemetry
// and serves its registry with promhttp instead (docs/production.md).
package ops
