// Package upload is the port of file uploads: what a store accepts in each
// file field ([Accept], declared by an [Acceptor]), where the files go
// ([Storage], one [Writer] per file), and what an action receives ([File]).
//
// The package depends on the standard library only, so that the facade,
// the engine and every storage adapter can import it.
//
// # Map
//
//   - [Acceptor] is implemented by a store that takes files: for each field
//     name of its forms, an [Accept] says which types (judged from the
//     content by [Detect], never from the browser's word), how large, how
//     many, and whether files go up as soon as they are chosen.
//   - [Storage] is the port files stream to: Create gives a [Writer] per
//     file, which is committed once the whole file arrived and passed every
//     check, or aborted (leaving nothing behind). Delete removes a committed
//     file when the action that received it fails. [Opener] is an optional
//     capability: reading a stored file back.
//   - Package localdir is the adapter for a local directory; package
//     uploadtest holds the conformance suite every Storage must pass.
//   - [Options] tune the engine that runs uploads (timeouts and bounds).
//   - [CheckName] and [Detect] are the checks the engine applies to every
//     file: a name that is safe to show (it is never used as a path), and
//     the type its first bytes say it has.
//
// # A direct-to-bucket adapter
//
// A Storage sees only a stream of bytes and a [Info] describing the file,
// so an adapter for an object store streams each file into a multipart
// upload (Create starts it, Write sends parts, Commit completes it, Abort
// aborts it) with the same bounded memory as localdir.
//
// # Errors
//
// The sentinel errors ([ErrTooLarge], [ErrType], …) say why a file was
// refused; the engine turns each into a field error of the form with a
// message for the user, and matches them with [errors.Is].
package upload
