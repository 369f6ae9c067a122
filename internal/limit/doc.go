// Package limit holds the token buckets that bound how fast clients may
// act: one bucket per key (a session group, a client address), a bound on
// how many buckets are kept, and a sweep that forgets the ones that filled
// up again.
//
// Connection counts are not here: the page table (internal/page) counts
// live connections, because it owns every index of live pages.
package limit
