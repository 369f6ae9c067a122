// Package pagetest holds the code of docs/testing.md (testing stores and pages), run as tests.
package pagetest
