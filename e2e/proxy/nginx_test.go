package proxy_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// docConf is the nginx configuration docs/instances.md shows (it quotes
// this file, and a test of docs/guides checks that it does).
const docConf = "../../docs/guides/instances/nginx.conf"

// The addresses docConf names, which the test replaces with its own.
const (
	docListen   = "listen 8080;"
	docUpstream = "server 127.0.0.1:%d;"
)

// fronts are the addresses nginx listens on for a test.
type fronts struct {
	doc       string // docConf's server
	noUpgrade string // a proxy that refuses upgrades, in front of doc
	hostOnly  string // Host $host: the port dropped
}

// nginxWrapper is the main configuration the test runs: docConf (its
// addresses replaced) inside the http block, with every path nginx writes
// in dir, and two more servers: one that refuses WebSocket upgrades (as
// some corporate proxies do) and passes the rest to docConf's server, and
// one that makes the common mistake, Host $host.
const nginxWrapper = `worker_processes 1;
pid {dir}/nginx.pid;
events { worker_connections 512; }
http {
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    include {dir}/livetemplate.conf;

    server {
        listen {noUpgrade};
        location / {
            if ($http_upgrade) { return 403; }
            proxy_pass http://{doc};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 75s;
        }
    }

    server {
        listen {hostOnly};
        location / {
            proxy_pass http://livetemplate;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }
    }
}
`

// startNginx runs Debian's nginx in front of the instances at upstreams
// (two "127.0.0.1:port"), as a process of the test: its prefix, its
// configuration, its pid file, logs and temporary files in a directory of
// its own, as a user without privileges when the test runs as root. It
// stops when the test ends. Without nginx the test is skipped, or fails
// when CI is "true".
func startNginx(t *testing.T, upstreams [2]string) fronts {
	t.Helper()
	bin := tool(t, "nginx")
	dir, err := os.MkdirTemp("", "nginx-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	f := fronts{doc: freeAddr(t), noUpgrade: freeAddr(t), hostOnly: freeAddr(t)}

	doc, err := os.ReadFile(docConf)
	require.NoError(t, err)
	conf := string(doc)
	for i, u := range upstreams {
		conf = replaceOnce(t, conf, fmt.Sprintf(docUpstream, 8081+i), "server "+u+";")
	}
	conf = replaceOnce(t, conf, docListen, "listen "+f.doc+";")
	main := strings.NewReplacer("{dir}", dir, "{doc}", f.doc, "{noUpgrade}", f.noUpgrade, "{hostOnly}", f.hostOnly).Replace(nginxWrapper)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "livetemplate.conf"), []byte(conf), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644))

	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	if os.Geteuid() == 0 {
		// Not as root: as nobody, who owns the directory.
		const nobody = 65534
		require.NoError(t, filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Chown(p, nobody, nobody)
		}))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // owned: the cleanup waits for it
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT) // graceful: finish the requests under way
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", f.doc)
		if err == nil {
			_ = c.Close()
			return f
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			exited <- err
			t.Fatalf("nginx exited: %v\n%s%s", err, out.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not listen on %s", f.doc)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// replaceOnce replaces old, which must occur exactly once in s, with new.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	require.Equal(t, 1, strings.Count(s, old), "%s: %q once", docConf, old)
	return strings.Replace(s, old, new, 1)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}
