package livetemplate

import "time"

// WithLease sets how long the instances wait for one that leads a function
// (App.Lead) and stopped renewing, so that tests need not wait 10 s.
func WithLease(d time.Duration) Option {
	return opt(forApp, "WithLease", func(o *options) { o.lease = d })
}
