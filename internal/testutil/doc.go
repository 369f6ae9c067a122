// Package testutil holds helpers shared by the tests of livetemplate's
// packages. It is internal: nothing outside this module may import it, and
// only test files inside it should.
//
// # Map
//
//   - [StartRedis] runs a real, private redis-server for one test on a free
//     127.0.0.1 port, with no persistence, and stops it when the test ends.
//   - [Redis] is that server: [Redis.Addr] and [Redis.URL] locate it,
//     [Redis.Client] returns a go-redis client with short timeouts, and
//     [Redis.Stop] and [Redis.Start] take it down and bring it back on the
//     same port, to test outages.
//   - [Logs] collects what a logger writes, safe for concurrent use.
//
// # Missing redis-server
//
// StartRedis runs the redis-server binary found in PATH. When there is
// none, the test is skipped on a developer machine and fails when the
// environment variable CI is "true": a CI run must never pass by skipping.
// scripts/test.sh installs redis-server on Debian.
package testutil
