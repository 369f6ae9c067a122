package livetemplate_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/lvtgo/livetemplate"

// allowedDeps is the import policy: for each package of the module (by
// directory), the packages of this module and third-party modules its
// non-test files may import. The standard library is always allowed.
// Adapters never import the facade or each other; ports are stdlib only.
var allowedDeps = map[string][]string{
	"docs/guides":             {},
	"docs/guides/actions":     {},
	"docs/guides/apps":        {},
	"docs/guides/pagetest":    {},
	"docs/guides/authn":       {},
	"docs/guides/groups":      {},
	"docs/guides/instances":   {},
	"docs/guides/persistence": {},
	"docs/guides/protocol":    {},
	"docs/guides/push":        {},
	"docs/guides/security":    {},
	"docs/guides/templates":   {},
	"docs/guides/uploads":     {},
	"e2e/apps":                {},
	"e2e/chat":                {},
	"e2e/counter":             {},
	"e2e/dashboard":           {},
	"e2e/gallery":             {},
	"e2e/login":               {},
	"e2e/proxy":               {},
	"e2e/rooms":               {},
	"e2e/todos":               {},
	"e2e/widgets":             {},
	".": {"auth", "broadcast", "diff", "session", "telemetry", "transport", "internal/check", "internal/fault", "internal/form",
		"internal/forwarded", "internal/page", "internal/protocol", "internal/relay", "internal/runtime", "internal/schema", "internal/serve", "internal/source", "internal/token", "upload"},

	// The engine, layer by layer: each package imports only those below it.
	"internal/check":                {},
	"internal/form":                 {},
	"internal/forwarded":            {},
	"internal/schema":               {},
	"internal/serve":                {},
	"internal/source":               {},
	"internal/limit":                {"golang.org/x/time/rate"},
	"internal/fault":                {"internal/wire", "transport"},
	"internal/relay":                {"broadcast", "telemetry"},
	"internal/lease":                {"session"},
	"internal/state":                {"auth", "internal/fault", "internal/schema", "session", "telemetry"},
	"internal/token":                {"auth"},
	"internal/page":                 {"auth", "diff", "internal/fault", "internal/state", "internal/wire"},
	"internal/runtime":              {"auth", "broadcast", "diff", "session", "telemetry", "internal/fault", "internal/lease", "internal/limit", "internal/page", "internal/relay", "internal/schema", "internal/state", "internal/token", "internal/transfer", "internal/wire", "upload"},
	"internal/protocol":             {"auth", "client", "telemetry", "transport", "internal/fault", "internal/forwarded", "internal/limit", "internal/page", "internal/runtime", "internal/transfer", "internal/wire", "upload"},
	"auth":                          {},
	"auth/jwtauth":                  {"auth", "github.com/golang-jwt/jwt/v5"},
	"client":                        {},
	"diff":                          {},
	"internal/wire":                 {},
	"session":                       {},
	"session/sessiontest":           {"session", "github.com/stretchr/testify"},
	"session/redisstore":            {"session", "github.com/redis/go-redis/v9"},
	"broadcast":                     {},
	"broadcast/broadcasttest":       {"broadcast", "github.com/stretchr/testify"},
	"broadcast/redisbus":            {"broadcast", "github.com/redis/go-redis/v9"},
	"telemetry":                     {},
	"upload":                        {},
	"upload/localdir":               {"upload"},
	"upload/uploadtest":             {"upload", "github.com/stretchr/testify"},
	"internal/transfer":             {"upload"},
	"telemetry/telemetrytest":       {"telemetry"},
	"internal/testutil":             {"github.com/redis/go-redis/v9"},
	"transport":                     {"github.com/coder/websocket", "internal/wire"},
	"cluster":                       {".", "auth", "broadcast/redisbus", "internal/forwarded", "session/redisstore", "github.com/redis/go-redis/v9"},
	"internal/cmd/lvtload":          {".", "cluster", "github.com/coder/websocket"},
	"examples/counter":              {".", "examples/counter/counter", "examples/internal/ops"},
	"examples/counter/counter":      {"."},
	"examples/gallery":              {".", "examples/gallery/gallery", "examples/internal/ops"},
	"examples/gallery/gallery":      {".", "upload", "upload/localdir"},
	"examples/todos":                {".", "examples/todos/todos", "examples/internal/ops"},
	"examples/internal/ops":         {".", "cluster", "telemetry"},
	"examples/internal/ops/opstest": {"examples/internal/ops", "internal/testutil", "github.com/stretchr/testify"},
	"examples/todos/todos":          {"."},

	// The chat and dashboard examples and their shared, copyable sign-in.
	"examples/login":               {".", "auth", "auth/jwtauth"},
	"examples/chat":                {".", "examples/chat/chat", "examples/internal/ops", "examples/login"},
	"examples/chat/chat":           {".", "auth", "examples/login"},
	"examples/dashboard":           {".", "examples/dashboard/dashboard", "examples/internal/ops", "examples/login"},
	"examples/dashboard/dashboard": {".", "auth", "examples/login"},

	// The nested module of the Prometheus adapter (its own go.mod), so that
	// the library's users who do not want it never download client_golang.
	"telemetry/promsink": {"telemetry", "github.com/prometheus/client_golang"},

	// The nested module of the browser tests (its own go.mod).
	"e2e/internal/browsertest": {".", "github.com/chromedp"},
	"livetest":                 {".", "diff", "github.com/coder/websocket", "golang.org/x/net/html", "github.com/andybalholm/cascadia"},
}

func TestImportPolicy(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		allowed, ok := allowedDeps[dir]
		if !assert.True(t, ok, "package %s is not in the import policy (deps_test.go)", dir) {
			return nil
		}
		seen[dir] = true
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.Contains(strings.Split(p, "/")[0], ".") {
				continue // standard library
			}
			assert.True(t, permitted(p, allowed), "%s imports %s, which the policy does not allow", path, p)
		}
		return nil
	})
	require.NoError(t, err)
	assert.True(t, seen["."] && seen["diff"], "the walk found the packages")
}

func permitted(imp string, allowed []string) bool {
	for _, a := range allowed {
		switch {
		case a == ".":
			if imp == module {
				return true
			}
		case strings.Contains(strings.Split(a, "/")[0], "."): // a third-party module
			if imp == a || strings.HasPrefix(imp, a+"/") {
				return true
			}
		default:
			if imp == module+"/"+a {
				return true
			}
		}
	}
	return false
}

// The browser tests live in the nested module e2e, and the Prometheus
// adapter in the nested module telemetry/promsink, so that the library's
// users never download chromedp or the Prometheus client; the library's
// go.mod must not need them.
func TestLibraryModuleHasNoBrowserDeps(t *testing.T) {
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "chromedp", "%s: the browser tests' dependencies belong in e2e/go.mod", f)
		assert.NotContains(t, string(b), "prometheus", "%s: the Prometheus client belongs in telemetry/promsink/go.mod", f)
	}
}
