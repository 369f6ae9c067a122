// Package ops gives every example what running it in production takes: the
// flags -log-format (text or json), -ops-addr (an operations server serving
// /metrics, /healthz and /readyz) and -drain (how long a shutdown drains),
// and the logger, app options and operations server they ask for.
//
// /healthz and /readyz are the app's own probes (App.Health). /metrics is
// a small exposition in the Prometheus text format, written with the
// standard library only ([Metrics]), of the metrics that
// telemetry/promsink registers, under the same names: the examples live in
// the library's module, which takes no dependency on the Prometheus client.
// A real deployment passes a promsink.Sink to livetemplate.WithTelemetry
// and serves its registry with promhttp instead (docs/production.md).
package ops
