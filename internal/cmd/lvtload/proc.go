package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is a "serve" subprocess: the server under test, in a process of its
// own so that its memory and CPU are its own.
type child struct {
	log   *logTally
	url   *url.URL
	pid   int
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan error
}

// startChild runs this executable's serve subcommand on 127.0.0.1 and waits
// for the address it prints. The child ends by itself after lifetime, or
// when its stdin closes (stop, or this process dying).
func startChild(lifetime time.Duration, redisURL string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	args := []string{"serve", "-addr", "127.0.0.1:0", "-for", lifetime.String(), "-stdin"}
	if redisURL != "" {
		args = append(args, "-redis", redisURL)
	}
	cmd := exec.Command(exe, args...)
	tally := &logTally{}
	cmd.Stderr = tally
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	c := &child{log: tally, pid: cmd.Process.Pid, cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() { // ends when the child closes its stdout, at its exit
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		if first {
			close(lines)
		}
		c.done <- cmd.Wait()
	}()
	select {
	case line, ok := <-lines:
		if ok {
			if u, err := url.Parse(strings.TrimSpace(line)); err == nil && u.Host != "" {
				c.url = u
				return c, nil
			}
		}
		_ = c.stop()
		return nil, fmt.Errorf("start server: unexpected first line %q", line)
	case <-time.After(30 * time.Second):
		_ = c.stop()
		return nil, errors.New("start server: no address within 30s")
	}
}

// stop closes the child's stdin, which makes it shut down, and waits for it
// (killing it after 15s).
func (c *child) stop() error {
	_ = c.stdin.Close()
	select {
	case err := <-c.done:
		return err
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		return fmt.Errorf("server did not stop; killed: %v", <-c.done)
	}
}

// memory is a process's resident memory, in KiB, from /proc/PID/status.
type memory struct{ RSS, HWM int64 }

func memoryOf(pid int) (memory, error) {
	b, err := os.ReadFile("/proc/" + pidString(pid) + "/status")
	if err != nil {
		return memory{}, err
	}
	var m memory
	for line := range bytes.Lines(b) {
		f := strings.Fields(string(line))
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.RSS = n
		case "VmHWM:":
			m.HWM = n
		}
	}
	return m, nil
}

// cpuOf is a process's user plus system CPU time, from /proc/PID/stat.
func cpuOf(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pidString(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("malformed /proc stat")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of the whole line
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

func pidString(pid int) string {
	if pid == 0 {
		return "self"
	}
	return strconv.Itoa(pid)
}

// openFiles returns the soft and hard limits on open files.
func openFiles() (soft, hard uint64) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, 0
	}
	return r.Cur, r.Max
}

// portRange returns the range of local ports outgoing connections use.
func portRange() (lo, hi int, ok bool) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, false
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	return lo, hi, err1 == nil && err2 == nil && lo <= hi
}

// loopbackOnly refuses a URL or address that is not on the loopback
// interface: the tool must never load anything but this machine.
func loopbackOnly(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address", hostport)
}

// logTally counts the lines a server logs by their message (the text
// between the level and the first key=value), so that a run reports "slow
// render ×120" instead of printing each line. It is safe for concurrent use.
type logTally struct {
	mu      sync.Mutex
	partial []byte
	counts  map[string]int
	order   []string
}

// Write implements io.Writer.
func (l *logTally) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.add(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	if len(l.partial) > 64<<10 {
		l.add(string(l.partial))
		l.partial = nil
	}
	return len(p), nil
}

func (l *logTally) add(line string) {
	f := strings.Fields(line)
	if len(f) > 2 && strings.Count(f[0], "/") == 2 { // log.Logger's date and time
		f = f[2:]
	}
	var msg []string
	for _, w := range f {
		if strings.Contains(w, "=") {
			break
		}
		msg = append(msg, w)
	}
	key := strings.Join(msg, " ")
	if key == "" { // another format: keep the line's start
		key = line[:min(len(line), 60)]
	}
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	if l.counts[key] == 0 {
		l.order = append(l.order, key)
	}
	l.counts[key]++
}

// String summarises the lines logged so far.
func (l *logTally) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.order) == 0 {
		return "nothing"
	}
	parts := make([]string, len(l.order))
	for i, k := range l.order {
		parts[i] = fmt.Sprintf("%q ×%d", k, l.counts[k])
	}
	return strings.Join(parts, ", ")
}
