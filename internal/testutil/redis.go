package testutil

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// startTimeout bounds how long StartRedis and Start wait for the server
	// to answer PING.
	startTimeout = 10 * time.Second
	// stopTimeout bounds how long Stop waits for a graceful exit before it
	// kills the server.
	stopTimeout = 5 * time.Second
	// startAttempts is how often StartRedis picks a new free port when the
	// one it picked was taken before the server could bind it.
	startAttempts = 3
)

// Redis is a redis-server process private to one test, started by
// [StartRedis]. Its methods are safe for concurrent use, but Stop and Start
// are meant to be called from the test goroutine.
type Redis struct {
	tb   testing.TB
	bin  string
	dir  string
	port int

	mu   sync.Mutex
	proc *process // nil while stopped
}

// StartRedis starts redis-server (from PATH) for the test tb, listening on
// a free port of 127.0.0.1, with no persistence (--save "" --appendonly no)
// and a temporary working directory. It returns once the server answers
// PING, and stops the server when tb finishes (tb.Cleanup).
//
// When redis-server is not in PATH, StartRedis skips tb, or fails it when
// the environment variable CI is "true"; scripts/test.sh installs it. Any
// other failure to start fails tb.
func StartRedis(tb testing.TB) *Redis {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "testutil: redis-server not found in PATH; run scripts/test.sh, which installs it"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	r := &Redis{tb: tb, bin: bin, dir: tb.TempDir()}
	tb.Cleanup(r.Stop)

	for attempt := 1; ; attempt++ {
		r.port, err = freePort()
		if err != nil {
			tb.Fatalf("testutil: start redis: %v", err)
		}
		err = r.start()
		if err == nil {
			return r
		}
		if attempt == startAttempts {
			tb.Fatalf("testutil: start redis: %v", err)
		}
	}
}

// Addr returns the server's address, "127.0.0.1:PORT".
func (r *Redis) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
}

// URL returns the server's URL for database 0, "redis://127.0.0.1:PORT/0",
// as accepted by [redis.ParseURL].
func (r *Redis) URL() string {
	return "redis://" + r.Addr() + "/0"
}

// Client returns a go-redis client of the server with short timeouts, so
// calls made during an outage fail within about a second: dial, read and
// write timeouts of one second, context deadlines honoured
// (ContextTimeoutEnabled) and one retry. The client is closed when tb
// finishes.
func (r *Redis) Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  r.Addr(),
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		PoolTimeout:           time.Second,
		ContextTimeoutEnabled: true,
		MaxRetries:            1,
		DisableIdentity:       true,
	})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// Stop stops the server and waits for it to exit; its data is lost.
// Stopping a stopped server does nothing. Call [Redis.Start] to bring it
// back on the same port.
func (r *Redis) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc == nil {
		return
	}
	p := r.proc
	r.proc = nil
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Start starts the server again on the same port after [Redis.Stop], empty,
// and waits until it answers PING. Starting a running server does nothing.
// It fails the test if the server does not come up.
func (r *Redis) Start() {
	r.tb.Helper()
	if err := r.start(); err != nil {
		r.tb.Fatalf("testutil: restart redis: %v", err)
	}
}

// process is one run of redis-server. exited receives the result of
// cmd.Wait, from a goroutine that ends when the process does.
type process struct {
	cmd    *exec.Cmd
	exited chan error
}

// start runs redis-server on r.port unless it runs already, and waits until
// it answers PING.
func (r *Redis) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc != nil {
		return nil
	}
	logFile := filepath.Join(r.dir, "redis.log")
	cmd := exec.Command(r.bin,
		"--port", strconv.Itoa(r.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", r.dir,
		"--logfile", logFile,
		"--daemonize", "no",
	)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", r.bin, err)
	}
	p := &process{cmd: cmd, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()

	deadline := time.Now().Add(startTimeout)
	for {
		err := ping(r.Addr())
		if err == nil {
			r.proc = p
			return nil
		}
		select {
		case werr := <-p.exited:
			return fmt.Errorf("redis-server on port %d exited (%v): %s", r.port, werr, tail(logFile))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-p.exited
			return fmt.Errorf("redis-server on port %d did not answer PING within %v: %w: %s", r.port, startTimeout, err, tail(logFile))
		}
	}
}

// ping sends PING to the server at addr over a new connection and checks
// for PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: not a TCP address")
	}
	return addr.Port, nil
}

// tail returns the end of the server's log file, for error messages.
func tail(logFile string) string {
	b, err := os.ReadFile(logFile)
	if err != nil {
		return "no log: " + err.Error()
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}
