package transport_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/coder/websocket"

	"github.com/lvtgo/livetemplate/transport"
)

// echo is a Session that sends every message back. It keeps only the
// latest message to write: a client that falls behind gets the newest.
type echo struct {
	c    *transport.Conn
	mu   sync.Mutex
	next []byte
}

func (e *echo) Handle(_ context.Context, msg []byte) { e.send(msg) }
func (e *echo) TooLarge(context.Context, []byte) {
	e.send([]byte(`{"t":"reply","error":{"code":"too_large"}}`))
}

func (e *echo) send(msg []byte) {
	e.mu.Lock()
	e.next = msg
	e.mu.Unlock()
	e.c.Wake()
}

func (e *echo) Next() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	msg := e.next
	e.next = nil
	return msg
}

func (e *echo) Closed(error) {}

func ExampleWebSocket_Serve() {
	ws := transport.NewWebSocket(nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			return &echo{c: c}, nil
		})
	}))
	defer srv.Close()
	defer ws.Close() // closes the connections srv.Close does not see

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, srv.URL, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"t":"sync"}`)); err != nil {
		fmt.Println(err)
		return
	}
	_, msg, err := c.Read(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(msg))
	// Output: {"t":"sync"}
}

func ExampleHTTP_ReadMessage() {
	h, err := transport.NewHTTP(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := httptest.NewRequest(http.MethodPost, "/page", strings.NewReader(`{"t":"action","ref":1,"name":"inc"}`))
	r.Header.Set("Content-Type", "text/plain") // what a cross-site form could send
	if _, err := h.ReadMessage(r); err != nil {
		w := httptest.NewRecorder()
		transport.WriteError(w, 1, err)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output: 415 {"t":"reply","ref":1,"error":{"code":"unsupported_media_type","message":"Content-Type must be application/json"}}
}
