// Package localdir is the upload.Storage adapter for a local directory.
//
// Each file streams into a temporary file of the directory (".upload-*"),
// is renamed to a random key with an extension from its detected type on
// Commit, and removed on Abort; [New] removes the temporary files a crash
// left behind. Keys never derive from what the client sent, and Open and
// Delete accept only keys of the form Commit makes, so a key can never
// name a path outside the directory.
//
// # Map
//
//   - [Dir] implements upload.Storage and upload.Opener.
//   - [Options] tune it (file modes).
package localdir
