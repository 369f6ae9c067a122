// Package apps holds the code of docs/apps.md (an app of many pages: live navigation, redirects, flash), run as tests.
package apps
