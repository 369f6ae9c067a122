// Package guides checks that the guides in docs/ quote their Go code verbatim from the packages below this one, which run it as tests.
package guides
