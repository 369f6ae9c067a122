package ops

import (
	"bufio"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lvtgo/livetemplate/telemetry"
)

// Metrics is a telemetry.Sink that keeps the metrics of telemetry/promsink
// (same names, labels and buckets) and serves them in the Prometheus text
// format, as promhttp writes it (labels by name, then le). It is safe for concurrent use; Record never blocks for long (one
// mutex, no I/O).
type Metrics struct {
	mu  sync.Mutex
	fam map[string]*family
}

var _ telemetry.Sink = (*Metrics)(nil)

// family is one metric: a counter, gauge or histogram, by label values.
type family struct {
	name, help, typ string
	labels          []string
	buckets         []float64 // histograms
	series          map[string]*series
}

type series struct {
	values []string
	v      float64  // counter, gauge; histogram: sum
	counts []uint64 // histogram: per bucket (not cumulative)
	n      uint64   // histogram: count
}

// Buckets of promsink's defaults: prometheus.DefBuckets, and 64 B to 1 MiB.
var (
	secondBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	byteBuckets   = []float64{64, 256, 1024, 4096, 16384, 65536, 262144, 1048576}
)

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	m := &Metrics{fam: map[string]*family{}}
	def := func(name, typ, help string, buckets []float64, labels ...string) {
		m.fam[name] = &family{name: name, help: help, typ: typ, labels: labels, buckets: buckets, series: map[string]*series{}}
	}
	def("livetemplate_connections", "gauge", "Live pages: served by a WebSocket or by HTTP polls.", nil, "transport")
	def("livetemplate_joins_total", "counter", "Pages that went live on a connection.", nil, "transport")
	def("livetemplate_page_loads_total", "counter", "Page loads (GET), by outcome.", nil, "outcome")
	def("livetemplate_page_load_duration_seconds", "histogram", "Time to load and render a page.", secondBuckets)
	def("livetemplate_actions_total", "counter", "Actions answered, by store and outcome (ok or the reply's error code).", nil, "outcome", "store")
	def("livetemplate_action_duration_seconds", "histogram", "Time from an action's arrival to its reply.", secondBuckets, "store")
	def("livetemplate_reply_bytes", "histogram", "Size of actions' replies.", byteBuckets)
	def("livetemplate_patch_bytes", "histogram", "Size of the patches actions' replies carry.", byteBuckets)
	def("livetemplate_pushes_total", "counter", "Server pushes of this instance, by operation and outcome.", nil, "op", "outcome")
	def("livetemplate_push_states_total", "counter", "Shared states changed by server pushes.", nil, "op")
	def("livetemplate_push_pages_total", "counter", "Pages of this instance reached by server pushes.", nil, "op")
	def("livetemplate_store_calls_total", "counter", "Session store calls, by operation and outcome.", nil, "op", "outcome")
	def("livetemplate_store_call_duration_seconds", "histogram", "Session store call latency.", secondBuckets, "op")
	def("livetemplate_bus_calls_total", "counter", "Bus calls, by operation and outcome.", nil, "op", "outcome")
	def("livetemplate_bus_call_duration_seconds", "histogram", "Bus publish latency.", secondBuckets, "op")
	def("livetemplate_refusals_total", "counter", "Clients refused, by kind of refusal and transport.", nil, "kind", "transport")
	def("livetemplate_uploads_total", "counter", "Uploaded files whose transfer ended, by outcome (ok: stored).", nil, "outcome")
	def("livetemplate_upload_bytes_total", "counter", "Bytes of uploaded files that arrived, by outcome.", nil, "outcome")
	def("livetemplate_upload_duration_seconds", "histogram", "Time from an upload's declaration to its file stored.", secondBuckets)
	m.add("livetemplate_connections", 0, telemetry.WebSocket) // both show from the start
	m.add("livetemplate_connections", 0, telemetry.HTTP)
	return m
}

// Record implements telemetry.Sink, as promsink.Sink does.
func (m *Metrics) Record(e telemetry.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch e.Kind {
	case telemetry.PageLoad:
		m.add("livetemplate_page_loads_total", 1, e.Outcome)
		m.observe("livetemplate_page_load_duration_seconds", e.Duration.Seconds())
	case telemetry.Join:
		m.add("livetemplate_connections", 1, e.Transport)
		m.add("livetemplate_joins_total", 1, e.Transport)
	case telemetry.Leave:
		m.add("livetemplate_connections", -1, e.Transport)
	case telemetry.Action:
		m.add("livetemplate_actions_total", 1, e.Outcome, e.Store)
		m.observe("livetemplate_action_duration_seconds", e.Duration.Seconds(), e.Store)
		if e.ReplyBytes > 0 {
			m.observe("livetemplate_reply_bytes", float64(e.ReplyBytes))
			m.observe("livetemplate_patch_bytes", float64(e.PatchBytes))
		}
	case telemetry.Push:
		m.add("livetemplate_pushes_total", 1, e.Op, e.Outcome)
		m.add("livetemplate_push_states_total", float64(e.States), e.Op)
		m.add("livetemplate_push_pages_total", float64(e.Pages), e.Op)
	case telemetry.StoreCall:
		m.add("livetemplate_store_calls_total", 1, e.Op, e.Outcome)
		m.observe("livetemplate_store_call_duration_seconds", e.Duration.Seconds(), e.Op)
	case telemetry.BusCall:
		m.add("livetemplate_bus_calls_total", 1, e.Op, e.Outcome)
		if e.Op == telemetry.OpPublish {
			m.observe("livetemplate_bus_call_duration_seconds", e.Duration.Seconds(), e.Op)
		}
	case telemetry.Refusal:
		m.add("livetemplate_refusals_total", 1, e.Refusal, e.Transport)
	case telemetry.Upload:
		m.add("livetemplate_uploads_total", 1, e.Outcome)
		m.add("livetemplate_upload_bytes_total", float64(e.Bytes), e.Outcome)
		if e.Outcome == telemetry.OK {
			m.observe("livetemplate_upload_duration_seconds", e.Duration.Seconds())
		}
	}
}

// get returns the series of family name with values. m.mu is held.
func (m *Metrics) get(name string, values []string) *series {
	f := m.fam[name]
	k := strings.Join(values, "\x00")
	s := f.series[k]
	if s == nil {
		s = &series{values: values}
		if f.buckets != nil {
			s.counts = make([]uint64, len(f.buckets))
		}
		f.series[k] = s
	}
	return s
}

func (m *Metrics) add(name string, v float64, values ...string) { m.get(name, values).v += v }

func (m *Metrics) observe(name string, v float64, values ...string) {
	s := m.get(name, values)
	s.v += v
	s.n++
	if i, _ := slices.BinarySearch(m.fam[name].buckets, v); i < len(s.counts) {
		s.counts[i]++
	}
}

// ServeHTTP writes the metrics in the Prometheus text format (0.0.4).
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	m.mu.Lock()
	names := make([]string, 0, len(m.fam))
	for n := range m.fam {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		m.fam[n].write(bw)
	}
	m.mu.Unlock()
	_ = bw.Flush()
}

// write writes the family, its series sorted by label values. Families
// without series are left out, as client_golang does.
func (f *family) write(w *bufio.Writer) {
	if len(f.series) == 0 {
		return
	}
	w.WriteString("# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.typ + "\n")
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := f.series[k]
		if f.buckets == nil {
			w.WriteString(f.name + labels(f.labels, s.values, "") + " " + num(s.v) + "\n")
			continue
		}
		var cum uint64
		for i, b := range f.buckets {
			cum += s.counts[i]
			w.WriteString(f.name + "_bucket" + labels(f.labels, s.values, num(b)) + " " + strconv.FormatUint(cum, 10) + "\n")
		}
		w.WriteString(f.name + "_bucket" + labels(f.labels, s.values, "+Inf") + " " + strconv.FormatUint(s.n, 10) + "\n")
		w.WriteString(f.name + "_sum" + labels(f.labels, s.values, "") + " " + num(s.v) + "\n")
		w.WriteString(f.name + "_count" + labels(f.labels, s.values, "") + " " + strconv.FormatUint(s.n, 10) + "\n")
	}
}

// labels formats a series' labels (and le, when not empty).
func labels(names, values []string, le string) string {
	var parts []string
	for i, n := range names {
		parts = append(parts, n+`="`+escape(values[i])+`"`)
	}
	if le != "" {
		parts = append(parts, `le="`+le+`"`)
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var escaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escape(s string) string { return escaper.Replace(s) }

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
