// Package form reads the values of an action's data (docs/protocol.md
// §3.2): strings as typed, or numbers and booleans sent typed, and arrays
// for several values; and binds them to the fields of a struct.
// livetemplate.ActionContext's Get… methods and Bind are built on it.
package form
