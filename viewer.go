package livetemplate

// Viewer is who views a page: templates of pages whose data is a map of
// stores see it as .viewer ({{if eq .poll.Winner .viewer.UserID}}), so that
// what depends on the viewer needs no PerConnection store. UserID and
// GroupID are the Authenticator's; GroupID may be derived from a secret: do
// not show it.
type Viewer struct {
	UserID  string
	GroupID string
}

// Flash is a page's flash messages (ActionContext.Flash) as templates of
// pages whose data is a map of stores see them: .flash. A page with one
// store whose template reads .flash or .viewer gets such a map too, holding
// its store under its name.
//
//	{{range .flash}}<p class="flash {{.Kind}}">{{.Message}}
//	  <button lvt-click="lvt.dismiss" lvt-data-kind="{{.Kind}}">×</button></p>{{end}}
//	{{with .flash.Get "error"}}<p class="error">{{.}}</p>{{end}}
type Flash []FlashMessage

// FlashMessage is one flash message.
type FlashMessage struct {
	Kind    string
	Message string
}

// Get returns the message of kind, or "".
func (f Flash) Get(kind string) string {
	for _, m := range f {
		if m.Kind == kind {
			return m.Message
		}
	}
	return ""
}
