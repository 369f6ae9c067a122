package proxy_test

import (
	"os"
	"os/exec"
	"testing"
)

// tool returns the path of the program name (nginx, haproxy): in PATH, or
// in the sbin directories, which a user's PATH may lack. Without it the
// test is skipped, or fails when CI is "true": scripts/test.sh installs it.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin/", "/usr/local/sbin/"} {
		if _, err := os.Stat(dir + name); err == nil {
			return dir + name
		}
	}
	msg := name + " not found; run scripts/test.sh, which installs it"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
