package authn

import (
	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
)

// quote:basic
// NewBasicApp returns an app for two users who share their notes: both are
// in the session group "team-red".
func NewBasicApp(passwords map[string]string) (*livetemplate.App, error) {
	teams := map[string]string{"ann": "team-red", "bob": "team-red"}
	a := auth.NewBasic("notes", passwords, &auth.BasicOptions{
		GroupOf: func(user string) string { return teams[user] }, // "" gives the user a group of their own
	})
	return livetemplate.NewApp(livetemplate.WithAuthenticator(a))
}

// quote:end
