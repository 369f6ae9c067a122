package authn

import (
	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
)

// quote:basic
// NewBasicHandler serves the notes to two users who share them: both are
// in the session group "team-red".
func NewBasicHandler(passwords map[string]string) (*livetemplate.Handler, error) {
	teams := map[string]string{"ann": "team-red", "bob": "team-red"}
	a := auth.NewBasic("notes", passwords, &auth.BasicOptions{
		GroupOf: func(user string) string { return teams[user] }, // "" gives the user a group of their own
	})
	return newHandler(livetemplate.WithAuthenticator(a))
}

// quote:end
