// Package actions holds the code of docs/actions.md (actions, forms and validation), run as tests.
package actions
