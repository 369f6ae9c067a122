// Package templates holds the code of docs/templates.md (templates and the lvt-* attributes), run as tests.
package templates
