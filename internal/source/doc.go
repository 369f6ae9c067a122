// Package source parses a page's template from where the template options
// (livetemplate.WithText, WithFiles, WithFS, WithFuncs) say it comes from,
// and picks the page among the templates of several files.
package source
