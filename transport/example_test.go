package transport_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"

	"github.com/lvtgo/livetemplate/transport"
)

// echo is a Session that sends every message back.
type echo struct{ c *transport.Conn }

func (e echo) Handle(_ context.Context, msg []byte) { _ = e.c.Send(msg) }
func (e echo) TooLarge(context.Context, []byte) {
	_ = e.c.Send([]byte(`{"t":"reply","error":{"code":"too_large"}}`))
}
func (e echo) Closed(error) {}

func ExampleWebSocket_Serve() {
	ws := transport.NewWebSocket(nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			return echo{c}, nil
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
