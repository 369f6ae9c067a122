package state

import (
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/schema"
)

// Key names one shared state: who shares it and their id.
type Key struct {
	Scope schema.Scope // Group, User or Keyed
	Name  string       // for Keyed: the store's name
	ID    string       // the group's id, the user's, or the application's key
}

// GroupKey names the state of session group g.
func GroupKey(g string) Key { return Key{Scope: schema.Group, ID: g} }

// UserKey names the state of user u.
func UserKey(u string) Key { return Key{Scope: schema.User, ID: u} }

// KeyedKey names the state of the Keyed store name under key.
func KeyedKey(name, key string) Key { return Key{Scope: schema.Keyed, Name: name, ID: key} }

// String returns the state's key in the session store: "g:" and the group,
// "u:" and the user, or "s:", the store's name, ":" and the key.
func (k Key) String() string {
	switch k.Scope {
	case schema.Group:
		return "g:" + k.ID
	case schema.User:
		return "u:" + k.ID
	}
	return "s:" + k.Name + ":" + k.ID
}

// Owner is the identity a server action on the state acts as: the group
// for a group's state, the user for a user's, nobody for a key's.
func (k Key) Owner() auth.Identity {
	switch k.Scope {
	case schema.Group:
		return auth.Identity{GroupID: k.ID}
	case schema.User:
		return auth.Identity{UserID: k.ID}
	}
	return auth.Identity{}
}
