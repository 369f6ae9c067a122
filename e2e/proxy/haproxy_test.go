package proxy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The haproxy configuration docs/instances.md shows is one haproxy
// accepts (haproxy -c). Without haproxy the test is skipped, or fails when
// CI is "true".
func TestHAProxyConfigOfTheDocsIsValid(t *testing.T) {
	bin := tool(t, "haproxy")
	doc, err := os.ReadFile("../../docs/instances.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "```haproxy\n")
	require.True(t, ok, "docs/instances.md has a haproxy block")
	conf, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput()
	require.NoError(t, err, "haproxy -c: %s", out)
}
