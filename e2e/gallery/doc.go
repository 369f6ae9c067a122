// Package gallery tests examples/gallery in headless Chromium: two tabs
// of one browser see a photo one of them uploads, a text file named .png
// is refused with a field error inside the form, and an upload whose
// connection drops resumes where it stopped.
package gallery
