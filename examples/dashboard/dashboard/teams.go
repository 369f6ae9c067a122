package dashboard

import (
	"fmt"
	"strings"

	"github.com/lvtgo/livetemplate/examples/login"
)

// DefaultTeams is the example's table of teams when none is given: ann and
// bob in red, cid in blue; anyone else is in no team.
const DefaultTeams = "ann=red,bob=red,cid=blue"

// Teams is the server's record of who is in which team: a user's team is
// their session group, which announcements to a team (GroupPrefix) reach.
// It is read at sign-in (login.Options.GroupOf = Teams.Of) and put in the
// signed token, so that nobody chooses a team, or leaves one, by editing a
// form, a query or a cookie. In an application of your own, look it up
// where you keep your users (or let the administrator assign it), not in
// the request.
type Teams map[string]string

// ParseTeams parses a table of teams written as NAME=TEAM pairs separated
// by commas ("ann=red,bob=red"); each name and team is valid for
// login.ValidName, and a name appears once. An empty string is an empty
// table.
func ParseTeams(s string) (Teams, error) {
	t := Teams{}
	for pair := range strings.SplitSeq(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, team, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("dashboard: teams: %q is not NAME=TEAM", pair)
		}
		name, team = strings.TrimSpace(name), strings.TrimSpace(team)
		if err := login.ValidName("name", name); err != nil {
			return nil, fmt.Errorf("dashboard: teams: name %q: %w", name, err)
		}
		if err := login.ValidName("team", team); err != nil {
			return nil, fmt.Errorf("dashboard: teams: team %q: %w", team, err)
		}
		if _, dup := t[name]; dup {
			return nil, fmt.Errorf("dashboard: teams: %q is in two teams", name)
		}
		t[name] = team
	}
	return t, nil
}

// Of returns the team of the user name, or "" when they are in none (a
// group of their own). It is login.Options.GroupOf for the dashboard.
func (t Teams) Of(name string) string { return t[name] }
