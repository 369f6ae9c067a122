package livetemplate

// connected and disconnected are called when a page's live connection
// starts and ends (see Watcher and WithConnectHook).
func (h *Handler) connected(c *conn)    {}
func (h *Handler) disconnected(c *conn) {}

// announce tells the other instances that s changed.
func (h *Handler) announce(s *scope) {}
