// Package transfer runs file uploads: the files of one field of one page
// (a batch) are declared, checked, streamed chunk by chunk into an
// upload.Storage, and claimed by the action that the form submits.
//
// # Map
//
//   - [Table] holds every upload in progress of an app, bounded in all
//     and per owner (any comparable value: the runtime uses the session
//     group, so that a chunk of another visitor's upload is refused, and a
//     client that reconnects resumes its uploads even when it lands on a
//     new page because its old one still looked live).
//   - [Table.Start] checks what the client declares (names, sizes, count,
//     the field's [upload.Accept]) before any byte is sent; [Table.Chunk]
//     writes one chunk, in order, checking the type of the first bytes
//     and cutting a stream that passes the declared size; [Table.Resume]
//     says where a file continues after a reconnect; [Table.Cancel] drops
//     one file; [Table.Claim] hands the finished files to an action.
//   - [FieldError] is every refusal: the field, the sentinel error of
//     package upload, and a message for the user.
//
// Memory: a chunk is written to the storage's Writer as it arrives and is
// not kept, so a file of any size costs one chunk (the protocol's chunks
// are at most 48 KiB) plus the Writer's own buffer.
//
// Cleanup: a batch that goes StallTimeout without a chunk (a client that
// stalled, or lost its connection and did not resume) is aborted; a
// finished batch that no action claims within ClaimTimeout is deleted;
// Close aborts and deletes everything left. Aborting a file calls its
// Writer's Abort, which leaves nothing behind.
package transfer
