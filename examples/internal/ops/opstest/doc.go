// Package opstest checks an example's operations flags end to end: its
// run function is started with -ops-addr, -drain and -log-format json, and
// its operations server is probed before and during the drain.
package opstest
