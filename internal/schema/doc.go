// Package schema describes the stores of an app: each store's name, who
// shares its state (Scope), its Go type and its initial state (Decl), and
// the one Catalog per app that makes sure a name means one store on every
// page.
//
// A store's state is the JSON encoding of its exported fields: Decode makes
// a new value of the store's type from it, Fresh from the initial state.
// Values are handed around as any; the facade knows they are
// livetemplate.Store values.
package schema
