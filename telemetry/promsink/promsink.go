package promsink

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lvtgo/livetemplate/telemetry"
)

// Options tune a Sink. The zero value (or nil) gives the defaults
// documented on each field.
type Options struct {
	// Buckets are the upper bounds, in seconds, of the duration
	// histograms. Default prometheus.DefBuckets (5 ms to 10 s).
	Buckets []float64
	// ByteBuckets are the upper bounds of the reply and patch size
	// histograms. Default 64 B to 1 MiB, ×4 each.
	ByteBuckets []float64
	// ConstLabels are added to every metric (say the instance's name).
	// Default none.
	ConstLabels prometheus.Labels
}

// Sink records telemetry events as Prometheus metrics. Its Record only
// updates metrics in memory: it never blocks and is safe for concurrent
// use.
type Sink struct {
	connections   *prometheus.GaugeVec
	joins         *prometheus.CounterVec
	loads         *prometheus.CounterVec
	loadDuration  prometheus.Histogram
	actions       *prometheus.CounterVec
	actDuration   *prometheus.HistogramVec
	replyBytes    prometheus.Histogram
	patchBytes    prometheus.Histogram
	pushes        *prometheus.CounterVec
	pushStates    *prometheus.CounterVec
	pushPages     *prometheus.CounterVec
	storeCalls    *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec
	busCalls      *prometheus.CounterVec
	busDuration   *prometheus.HistogramVec
	refusals      *prometheus.CounterVec
	uploads       *prometheus.CounterVec
	uploadBytes   *prometheus.CounterVec
	upDuration    prometheus.Histogram
}

var _ telemetry.Sink = (*Sink)(nil)

// New returns a Sink whose metrics are registered on reg
// (prometheus.DefaultRegisterer when nil). It fails when reg refuses them,
// say because another Sink registered them there already.
func New(reg prometheus.Registerer, o *Options) (*Sink, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	if opts.Buckets == nil {
		opts.Buckets = prometheus.DefBuckets
	}
	if opts.ByteBuckets == nil {
		opts.ByteBuckets = prometheus.ExponentialBuckets(64, 4, 8)
	}
	c := opts.ConstLabels
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: c}, labels)
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets, ConstLabels: c}, labels)
	}
	single := func(name, help string, buckets []float64) prometheus.Histogram {
		return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets, ConstLabels: c})
	}
	s := &Sink{
		connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "livetemplate_connections",
			Help: "Live pages: served by a WebSocket or by HTTP polls.", ConstLabels: c}, []string{"transport"}),
		joins:         counter("livetemplate_joins_total", "Pages that went live on a connection.", "transport"),
		loads:         counter("livetemplate_page_loads_total", "Page loads (GET), by outcome.", "outcome"),
		loadDuration:  single("livetemplate_page_load_duration_seconds", "Time to load and render a page.", opts.Buckets),
		actions:       counter("livetemplate_actions_total", "Actions answered, by store and outcome (ok or the reply's error code).", "store", "outcome"),
		actDuration:   histogram("livetemplate_action_duration_seconds", "Time from an action's arrival to its reply.", opts.Buckets, "store"),
		replyBytes:    single("livetemplate_reply_bytes", "Size of actions' replies.", opts.ByteBuckets),
		patchBytes:    single("livetemplate_patch_bytes", "Size of the patches actions' replies carry.", opts.ByteBuckets),
		pushes:        counter("livetemplate_pushes_total", "Server pushes of this instance, by operation and outcome.", "op", "outcome"),
		pushStates:    counter("livetemplate_push_states_total", "Shared states changed by server pushes.", "op"),
		pushPages:     counter("livetemplate_push_pages_total", "Pages of this instance reached by server pushes.", "op"),
		storeCalls:    counter("livetemplate_store_calls_total", "Session store calls, by operation and outcome.", "op", "outcome"),
		storeDuration: histogram("livetemplate_store_call_duration_seconds", "Session store call latency.", opts.Buckets, "op"),
		busCalls:      counter("livetemplate_bus_calls_total", "Bus calls, by operation and outcome.", "op", "outcome"),
		busDuration:   histogram("livetemplate_bus_call_duration_seconds", "Bus publish latency.", opts.Buckets, "op"),
		refusals:      counter("livetemplate_refusals_total", "Clients refused, by kind of refusal and transport.", "kind", "transport"),
		uploads:       counter("livetemplate_uploads_total", "Uploaded files whose transfer ended, by outcome (ok: stored).", "outcome"),
		uploadBytes:   counter("livetemplate_upload_bytes_total", "Bytes of uploaded files that arrived, by outcome.", "outcome"),
		upDuration:    single("livetemplate_upload_duration_seconds", "Time from an upload's declaration to its file stored.", opts.Buckets),
	}
	var errs []error
	for _, m := range []prometheus.Collector{s.connections, s.joins, s.loads, s.loadDuration, s.actions, s.actDuration,
		s.replyBytes, s.patchBytes, s.pushes, s.pushStates, s.pushPages, s.storeCalls, s.storeDuration,
		s.busCalls, s.busDuration, s.refusals, s.uploads, s.uploadBytes, s.upDuration} {
		errs = append(errs, reg.Register(m))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("promsink: register the metrics: %w", err)
	}
	// Both transports show from the start, at 0.
	s.connections.WithLabelValues(telemetry.WebSocket)
	s.connections.WithLabelValues(telemetry.HTTP)
	return s, nil
}

// Record implements telemetry.Sink.
func (s *Sink) Record(e telemetry.Event) {
	switch e.Kind {
	case telemetry.PageLoad:
		s.loads.WithLabelValues(e.Outcome).Inc()
		s.loadDuration.Observe(e.Duration.Seconds())
	case telemetry.Join:
		s.connections.WithLabelValues(e.Transport).Inc()
		s.joins.WithLabelValues(e.Transport).Inc()
	case telemetry.Leave:
		s.connections.WithLabelValues(e.Transport).Dec()
	case telemetry.Action:
		s.actions.WithLabelValues(e.Store, e.Outcome).Inc()
		s.actDuration.WithLabelValues(e.Store).Observe(e.Duration.Seconds())
		if e.ReplyBytes > 0 {
			s.replyBytes.Observe(float64(e.ReplyBytes))
			s.patchBytes.Observe(float64(e.PatchBytes))
		}
	case telemetry.Push:
		s.pushes.WithLabelValues(e.Op, e.Outcome).Inc()
		s.pushStates.WithLabelValues(e.Op).Add(float64(e.States))
		s.pushPages.WithLabelValues(e.Op).Add(float64(e.Pages))
	case telemetry.StoreCall:
		s.storeCalls.WithLabelValues(e.Op, e.Outcome).Inc()
		s.storeDuration.WithLabelValues(e.Op).Observe(e.Duration.Seconds())
	case telemetry.BusCall:
		s.busCalls.WithLabelValues(e.Op, e.Outcome).Inc()
		if e.Op == telemetry.OpPublish {
			s.busDuration.WithLabelValues(e.Op).Observe(e.Duration.Seconds())
		}
	case telemetry.Refusal:
		s.refusals.WithLabelValues(e.Refusal, e.Transport).Inc()
	case telemetry.Upload:
		s.uploads.WithLabelValues(e.Outcome).Inc()
		s.uploadBytes.WithLabelValues(e.Outcome).Add(float64(e.Bytes))
		if e.Outcome == telemetry.OK {
			s.upDuration.Observe(e.Duration.Seconds())
		}
	}
}
