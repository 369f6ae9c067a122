// Package promsink serves livetemplate's telemetry to Prometheus: a
// [Sink] turns the app's events (package telemetry) into counters, gauges
// and histograms registered on a prometheus.Registerer, which promhttp then
// serves (on an operations port, with the app's health probes):
//
//	reg := prometheus.NewRegistry()
//	sink, err := promsink.New(reg, nil)
//	app, err := livetemplate.NewApp(livetemplate.WithTelemetry(sink))
//	ops := http.NewServeMux()
//	ops.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//	ops.Handle("/", app.Health()) // /healthz, /readyz
//
// It is a module of its own (github.com/lvtgo/livetemplate/telemetry/promsink),
// so that applications that do not use Prometheus never download its
// client library.
//
// # Metrics
//
// Every label takes its values from a small set fixed by the program (see
// package telemetry), never from what a client sent:
//
//   - livetemplate_connections{transport}: live pages (gauge);
//   - livetemplate_joins_total{transport}: pages that went live;
//   - livetemplate_page_loads_total{outcome},
//     livetemplate_page_load_duration_seconds;
//   - livetemplate_actions_total{store,outcome},
//     livetemplate_action_duration_seconds{store},
//     livetemplate_reply_bytes, livetemplate_patch_bytes;
//   - livetemplate_pushes_total{op,outcome}, livetemplate_push_states_total{op},
//     livetemplate_push_pages_total{op};
//   - livetemplate_store_calls_total{op,outcome},
//     livetemplate_store_call_duration_seconds{op};
//   - livetemplate_bus_calls_total{op,outcome},
//     livetemplate_bus_call_duration_seconds{op};
//   - livetemplate_refusals_total{kind,transport};
//   - livetemplate_uploads_total{outcome}, livetemplate_upload_bytes_total{outcome},
//     livetemplate_upload_duration_seconds.
//
// docs/production.md says what each one means for an operator.
package promsink
