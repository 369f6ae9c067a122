package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/cluster"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serveMain(os.Args[2:])
	case "run":
		err = runMain(os.Args[2:], os.Stdout)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lvtload:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: lvtload serve [-addr 127.0.0.1:0] | lvtload run -scenario idle|fanout|actions [flags]; -h for flags")
	os.Exit(2)
}

// serveMain serves the counter page until a signal, the end of -for, or
// (with -stdin) the end of standard input; it prints the page's URL first.
func serveMain(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	lifetime := fs.Duration("for", 30*time.Minute, "stop after this long")
	stdin := fs.Bool("stdin", false, "stop when standard input closes (run uses this)")
	redisURL := fs.String("redis", "", "share state, changes and cookies with other instances through this Redis (redis://127.0.0.1:PORT/0)")
	cpuProfile := fs.String("cpuprofile", "", "write the server's CPU profile to this file when it stops")
	memProfile := fs.String("memprofile", "", "write the server's heap profile to this file when it stops, before it closes its connections")
	_ = fs.Parse(args)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	var opts []livetemplate.Option
	if *redisURL != "" {
		u, err := url.Parse(*redisURL)
		if err != nil {
			return err
		}
		if err := loopbackOnly(u.Host); err != nil {
			return err
		}
		c, err := cluster.Open(context.Background(), *redisURL, nil)
		if err != nil {
			return err
		}
		defer c.Close()
		opts = c.Options()
	}
	live, err := newHandler(opts...)
	if err != nil {
		return err
	}
	h := withPush(live)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errors.Join(err, h.Close())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("http://%s/\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *lifetime)
	defer cancel()
	if *stdin {
		go func() { // returns at EOF, which stop or our parent's exit brings
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return errors.Join(err, h.Close())
	}
	if *memProfile != "" {
		if err := writeHeap(*memProfile); err != nil {
			fmt.Fprintln(os.Stderr, "lvtload: heap profile:", err)
		}
	}
	err = srv.Close() // http.Server does not track hijacked WebSockets; h.Close closes them
	<-served
	return errors.Join(err, h.Close())
}

// runConfig is the run subcommand's flags.
type runConfig struct {
	scenario    string
	target      string // -url; empty: start a serve child
	pid         int    // -pid of a -url server, for its memory and CPU
	fleet       fleetOptions
	rounds      int
	duration    time.Duration
	settle      time.Duration
	timeout     time.Duration
	roundWait   time.Duration
	pause       time.Duration
	probeNonRdr bool
	instances   int        // push: server instances to start
	redis       string     // push: the Redis they share
	pages       []*url.URL // the instances' pages, when started here
}

func runMain(args []string, out io.Writer) error {
	var c runConfig
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	fs.StringVar(&c.scenario, "scenario", "idle", "idle, fanout, actions or push")
	fs.IntVar(&c.instances, "instances", 1, "push: server instances (children) the tabs are spread over; more than one needs -redis")
	fs.StringVar(&c.redis, "redis", "", "push: the Redis the instances share (redis://127.0.0.1:PORT/0)")
	fs.StringVar(&c.target, "url", "", "page to load (loopback only); default: start \"lvtload serve\" as a child process")
	fs.IntVar(&c.pid, "pid", 0, "process id of the -url server, to report its memory and CPU")
	fs.IntVar(&c.fleet.Conns, "conns", 1000, "number of tabs (WebSocket connections)")
	fs.IntVar(&c.fleet.Groups, "groups", 1, "number of browsers (session groups) the tabs are spread over")
	fs.Float64Var(&c.fleet.NonReaders, "nonreaders", 0, "fraction of tabs that never read their socket")
	fs.IntVar(&c.fleet.Concurrency, "concurrency", 50, "tabs connecting at once")
	fs.IntVar(&c.rounds, "rounds", 5, "fanout: number of rounds")
	fs.DurationVar(&c.pause, "pause", time.Second, "fanout: wait between rounds")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "actions: how long to act")
	fs.DurationVar(&c.settle, "settle", 3*time.Second, "idle: wait after the last join before reading memory")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "bound on the whole run")
	_ = fs.Parse(args)
	c.roundWait = 30 * time.Second
	c.probeNonRdr = c.fleet.NonReaders > 0
	switch c.scenario {
	case "idle", "fanout", "actions", "push":
	default:
		return fmt.Errorf("unknown scenario %q", c.scenario)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	var page *url.URL
	pid := c.pid
	if c.instances > 1 && (c.redis == "" || c.target != "") {
		return fmt.Errorf("-instances %d needs -redis and no -url", c.instances)
	}
	if c.target == "" {
		for i := range max(c.instances, 1) {
			ch, err := startChild(c.timeout+time.Minute, c.redis)
			if err != nil {
				return err
			}
			defer func() {
				if err := ch.stop(); err != nil {
					fmt.Fprintln(os.Stderr, "lvtload: server:", err)
				}
				name := "server"
				if i > 0 {
					name = fmt.Sprintf("server %d", i)
				}
				fmt.Fprintf(out, "%s log: %s\n", name, ch.log)
			}()
			if i == 0 {
				page, pid = ch.url, ch.pid
			}
			c.pages = append(c.pages, ch.url)
		}
	} else {
		u, err := url.Parse(c.target)
		if err != nil {
			return err
		}
		if u.Scheme != "http" {
			return fmt.Errorf("-url must be http://127.0.0.1:PORT/...")
		}
		page = u
	}
	if err := loopbackOnly(page.Host); err != nil {
		return err
	}
	return run(ctx, c, page, pid, out)
}

// run opens the fleet on page, runs the scenario and prints the report. pid
// is the server's process (0: unknown, no server figures).
func run(ctx context.Context, c runConfig, page *url.URL, pid int, out io.Writer) error {
	soft, hard := openFiles()
	fmt.Fprintf(out, "lvtload %s: %s, %d tabs over %d groups, nonreaders %.3g, %s %s/%s, %d CPUs, open files %d/%d\n",
		c.scenario, page, c.fleet.Conns, c.fleet.Groups, c.fleet.NonReaders, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), soft, hard)
	if need := uint64(c.fleet.Conns + 100); soft < need {
		return fmt.Errorf("open file limit %d is below the %d this run needs (ulimit -n)", soft, need)
	}
	if lo, hi, ok := portRange(); ok {
		fmt.Fprintf(out, "ephemeral ports %d-%d\n", lo, hi)
		if c.fleet.Conns+c.fleet.Concurrency > hi-lo+1 {
			return fmt.Errorf("%d tabs need more ephemeral ports than %d-%d", c.fleet.Conns, lo, hi)
		}
	}
	load0, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(out, "load average before: %s", load0)
	var srv *probe // nil: the server is not observed
	if pid != 0 {
		srv = newProbe(pid)
	}
	client := newProbe(0)

	pages := c.pages
	if len(pages) == 0 {
		pages = []*url.URL{page}
	}
	f, rep, err := openFleet(ctx, pages, c.fleet)
	defer f.close()
	fmt.Fprintf(out, "connect: %s\n", rep)
	fmt.Fprintf(out, "  during connect: %s; %s\n", srv.since("server"), client.since("client"))
	if err != nil {
		return err
	}

	switch c.scenario {
	case "idle":
		time.Sleep(c.settle)
		mem, _ := memoryOf(pid)
		if srv != nil {
			delta := mem.RSS - srv.mem.RSS
			fmt.Fprintf(out, "idle: server RSS %.1f MiB before, %.1f MiB with %d tabs (+%.1f MiB, %.1f KiB per tab), peak %.1f MiB\n",
				mib(srv.mem.RSS), mib(mem.RSS), len(f.tabs), mib(delta), float64(delta)/float64(max(len(f.tabs), 1)), mib(mem.HWM))
		}
		cm, _ := memoryOf(0)
		fmt.Fprintf(out, "idle: client RSS %.1f MiB\n", mib(cm.RSS))
	case "fanout":
		srv.reset()
		client.reset()
		res, err := fanout(ctx, f, c.rounds, c.roundWait, c.pause)
		fmt.Fprintf(out, "fanout: %d rounds, delivered %d/%d, %d rounds timed out\n", res.Rounds, res.Delivered, res.Expected, res.Timeouts)
		fmt.Fprintf(out, "fanout: send → patch at every other tab: %s\n", res.Lat)
		fmt.Fprintf(out, "fanout: p99 of each round: %s\n", durations(res.RoundP99))
		fmt.Fprintf(out, "fanout: send → reply at the acting tab: %s\n", res.Reply)
		fmt.Fprintf(out, "  during fanout: %s; %s\n", srv.since("server"), client.since("client"))
		if err != nil {
			return err
		}
	case "push":
		srv.reset()
		client.reset()
		res, err := pushRounds(ctx, f, page, c.rounds, c.roundWait, c.pause)
		fmt.Fprintf(out, "push: %d instances, %d rounds, delivered %d/%d, %d rounds timed out\n", len(pages), res.Rounds, res.Delivered, res.Expected, res.Timeouts)
		fmt.Fprintf(out, "push: Broadcast → patch at every tab: %s\n", res.Lat)
		fmt.Fprintf(out, "push: p99 of each round: %s\n", durations(res.RoundP99))
		fmt.Fprintf(out, "  during push (instance 0): %s; %s\n", srv.since("server"), client.since("client"))
		if err != nil {
			return err
		}
	case "actions":
		srv.reset()
		client.reset()
		res := actions(ctx, f, c.duration, 30*time.Second)
		fmt.Fprintf(out, "actions: %d tabs acting for %.1fs: %d ok (%.0f actions/s), failed %v, %d timed out\n",
			res.Actors, res.Elapsed.Seconds(), res.OK, res.Rate(), res.Failed, res.Timeouts)
		fmt.Fprintf(out, "actions: send → reply: %s\n", res.Lat)
		fmt.Fprintf(out, "  during actions: %s; %s\n", srv.since("server"), client.since("client"))
	}
	fmt.Fprintf(out, "reading tabs: %d messages, %d seq gaps, %d error replies, %d stray replies, %d reloads, %d of unknown type, %d connections ended early\n",
		f.received.Load(), f.gaps.Load(), f.errReplies.Load(), f.strayReplies.Load(), f.reloads.Load(), f.unknown.Load(), f.dropped.Load())
	if errs := f.errors(); len(errs) > 0 {
		fmt.Fprintf(out, "errors: %v\n", sortedMap(errs))
	}
	if c.probeNonRdr {
		p := probeNonReaders(ctx, f, 500*time.Millisecond)
		fmt.Fprintf(out, "non-reading tabs: %d still open, %d closed by the server, %d messages were waiting for them\n", p.Open, p.Closed, p.Messages)
	}
	load1, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(out, "load average after: %s", load1)
	return nil
}

// probe follows one process's memory and CPU time (pid 0: this process).
// A nil *probe observes nothing.
type probe struct {
	pid int
	mem memory
	cpu time.Duration
	at  time.Time
}

func newProbe(pid int) *probe {
	p := &probe{pid: pid}
	p.reset()
	return p
}

func (p *probe) reset() {
	if p == nil {
		return
	}
	p.mem, _ = memoryOf(p.pid)
	p.cpu, _ = cpuOf(p.pid)
	p.at = time.Now()
}

// since describes the CPU used since the last reset, and the memory now.
func (p *probe) since(name string) string {
	if p == nil {
		return name + " not observed"
	}
	cpu, _ := cpuOf(p.pid)
	mem, _ := memoryOf(p.pid)
	wall := time.Since(p.at)
	used := cpu - p.cpu
	return fmt.Sprintf("%s CPU %.1fs over %.1fs (%.0f%% of one core), RSS %.1f MiB", name, used.Seconds(), wall.Seconds(), 100*used.Seconds()/wall.Seconds(), mib(mem.RSS))
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func durations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = ms(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func sortedMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + m[k]
	}
	return strings.Join(parts, "; ")
}

// writeHeap writes the live heap's profile to path, after a collection.
func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	return errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
}
