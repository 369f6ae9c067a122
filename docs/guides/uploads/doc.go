// Package uploads holds the code of docs/uploads.md (file uploads), run as tests.
package uploads
