package broadcasttest_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/broadcast"
)

// An adapter's tests hand Run a constructor for two connected buses that
// stand for two instances, from a TestXxx function (Run needs its
// *testing.T; TestRunLocal in this package is one):
//
//	func TestConformance(t *testing.T) {
//		broadcasttest.Run(t, func(t *testing.T) (a, b broadcast.Bus) {
//			hub := broadcast.NewLocal() // or two instances of the adapter under test
//			t.Cleanup(func() { _ = hub.Close() })
//			return hub.Bus(), hub.Bus()
//		})
//	}
//
// Here is Run's NoEcho check, made by hand on that pair: each bus receives
// the other's messages, in order, and never its own. Like Run, it first
// publishes probes until each subscription receives one, since a
// subscription may start a moment after Subscribe is called.
func Example() {
	hub := broadcast.NewLocal()
	defer hub.Close()
	a, b := hub.Bus(), hub.Bus()

	ctx, cancel := context.WithCancel(context.Background())
	var subscriptions sync.WaitGroup
	subscribe := func(bus broadcast.Bus) <-chan string {
		got := make(chan string, 100)
		subscriptions.Go(func() {
			_ = bus.Subscribe(ctx, broadcast.ReceiverFuncs{
				OnReceive: func(msg []byte) { got <- string(msg) },
			})
		})
		return got
	}
	toA, toB := subscribe(a), subscribe(b)
	ready(ctx, a, toB)
	ready(ctx, b, toA)

	for _, m := range []struct {
		from broadcast.Bus
		msg  string
	}{{a, "from A"}, {b, "from B"}, {a, "fence A"}, {b, "fence B"}} {
		if err := m.from.Publish(ctx, []byte(m.msg)); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("A receives", until(toA, "fence B"))
	fmt.Println("B receives", until(toB, "fence A"))
	cancel()
	subscriptions.Wait()
	// Output:
	// A receives [from B fence B]
	// B receives [from A fence A]
}

const probe = "probe"

// ready publishes probes on from until a subscription receives one on to.
func ready(ctx context.Context, from broadcast.Bus, to <-chan string) {
	for {
		if err := from.Publish(ctx, []byte(probe)); err != nil {
			fmt.Println(err)
			return
		}
		select {
		case msg := <-to:
			if msg == probe {
				return
			}
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// until returns the messages received on ch up to and including last,
// without probes, or those received within 5 seconds.
func until(ch <-chan string, last string) []string {
	var got []string
	timeout := time.After(5 * time.Second)
	for {
		select {
		case msg := <-ch:
			if msg == probe {
				continue
			}
			got = append(got, msg)
			if msg == last {
				return got
			}
		case <-timeout:
			return got
		}
	}
}
