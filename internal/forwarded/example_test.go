package forwarded_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/lvtgo/livetemplate/internal/forwarded"
)

func ExampleProxies_ClientAddr() {
	p, err := forwarded.Parse([]string{"10.0.0.0/8"})
	if err != nil {
		panic(err)
	}
	// Through the load balancer at 10.0.0.2: the client sent a forged
	// entry, the balancer appended the address it saw.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.2:40000"
	r.Header.Set("X-Forwarded-For", "198.51.100.1, 203.0.113.7")
	fmt.Println(p.ClientAddr(r))

	// Straight from a client: its header is ignored.
	r.RemoteAddr = "203.0.113.9:40000"
	fmt.Println(p.ClientAddr(r))
	// Output:
	// 203.0.113.7
	// 203.0.113.9
}
