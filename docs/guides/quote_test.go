// Package guides holds the code of the guides in docs/: every Go block of a
// guide is quoted from a file under this directory, which the tests compile
// and run. Each guide's code is a package of its own (docs/guides/TOPIC);
// its files are _test.go files, so that they are compiled and vetted by
// `go test` and `go vet` but are not part of the library.
package guides

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Guides are the guides whose code blocks are checked.
var Guides = []string{
	"getting-started.md",
	"templates.md",
	"actions.md",
	"authentication.md",
	"session-groups.md",
	"apps.md",
	"push.md",
	"persistence.md",
	"instances.md",
	"security.md",
	"testing.md",
	"protocol-by-hand.md",
	"uploads.md",
}

// quoteRe is the marker before a code block that is quoted from a file:
// <!-- quote: guides/start/main_test.go --> quotes the whole file,
// <!-- quote: guides/start/main_test.go#name --> the lines between
// "// quote:name" and "// quote:end" (the markers left out, indentation
// common to the lines removed, and blank lines at either end).
var quoteRe = regexp.MustCompile(`^<!-- quote: (\S+?)(?:#(\S+))? -->$`)

// TestGuidesQuoteTheirCode checks that every Go block of every guide is a
// verbatim quote of a file (or a region of one) that the tests compile, and
// that every quoted block of another language matches its file too.
func TestGuidesQuoteTheirCode(t *testing.T) {
	for _, name := range Guides {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", name))
			require.NoError(t, err)
			blocks := 0
			lines := strings.Split(string(src), "\n")
			for i := 0; i < len(lines); i++ {
				fence, ok := strings.CutPrefix(lines[i], "```")
				if !ok {
					continue
				}
				start := i
				var body []string
				for i++; i < len(lines) && lines[i] != "```"; i++ {
					body = append(body, lines[i])
				}
				require.Less(t, i, len(lines), "%s:%d: unclosed code block", name, start+1)
				var m []string
				if start > 0 {
					m = quoteRe.FindStringSubmatch(lines[start-1])
				}
				if m == nil {
					assert.NotEqual(t, "go", fence, "%s:%d: a Go block must be quoted from a file (<!-- quote: guides/… -->)", name, start+1)
					continue
				}
				blocks++
				want := quoted(t, m[1], m[2])
				assert.Equal(t, want, strings.Join(body, "\n"), "%s:%d: the block differs from %s", name, start+1, m[0])
			}
			assert.Positive(t, blocks, "%s quotes no code", name)
		})
	}
}

// quoted returns the text of path (relative to docs/), or of its region.
func quoted(t *testing.T, path, region string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(path)))
	require.NoError(t, err)
	text := strings.TrimSuffix(string(b), "\n")
	if region == "" {
		return text
	}
	var out []string
	in, found := false, false
	for _, l := range strings.Split(text, "\n") {
		switch strings.TrimSpace(l) {
		case "// quote:" + region:
			in, found = true, true
			continue
		case "// quote:end":
			in = false
			continue
		}
		if in {
			out = append(out, l)
		}
	}
	require.True(t, found, "%s has no region %q", path, region)
	return strings.Trim(dedent(out), "\n")
}

// dedent removes the tabs every non-empty line starts with.
func dedent(lines []string) string {
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if common < 0 || n < common {
			common = n
		}
	}
	for i, l := range lines {
		if len(l) >= common && common > 0 {
			lines[i] = l[common:]
		}
	}
	return strings.Join(lines, "\n")
}
