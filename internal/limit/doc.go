// Package limit holds the token buckets that bound how fast clients may
// act: one bucket per key (a session group, a client address), a bound on
// how many buckets are kept, and a sweep that forgets the ones that filled
// up again; and Every, which lets a thing happen once a period per key (a
// refusal's log line per kind and address), with a bound on its keys.
//
// Connection counts are not here: the page table (internal/page) counts
// live connections, because it owns every index of live pages.
package limit
