package telemetry_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lvtgo/livetemplate/telemetry"
)

func TestKindNames(t *testing.T) {
	for k, want := range map[telemetry.Kind]string{
		telemetry.PageLoad: "page_load", telemetry.Join: "join", telemetry.Leave: "leave",
		telemetry.Action: "action", telemetry.Push: "push", telemetry.StoreCall: "store_call",
		telemetry.BusCall: "bus_call", telemetry.Refusal: "refusal", telemetry.Upload: "upload", 0: "", 200: "",
	} {
		assert.Equal(t, want, k.String())
	}
}

// A sink counts actions by outcome: the shape of every metrics adapter.
func ExampleSinkFunc() {
	counts := map[string]int{}
	sink := telemetry.SinkFunc(func(e telemetry.Event) {
		if e.Kind == telemetry.Action {
			counts[e.Outcome]++ // a real sink is called concurrently: use atomics or a lock
		}
	})
	sink.Record(telemetry.Event{Kind: telemetry.Action, Outcome: telemetry.OK})
	sink.Record(telemetry.Event{Kind: telemetry.Action, Outcome: "invalid"})
	sink.Record(telemetry.Event{Kind: telemetry.Action, Outcome: telemetry.OK})
	fmt.Println(counts[telemetry.OK], counts["invalid"])
	// Output: 2 1
}
