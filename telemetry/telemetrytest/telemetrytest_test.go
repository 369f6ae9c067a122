package telemetrytest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/telemetry/telemetrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRecorderWaitsForALaterEvent(t *testing.T) {
	var r telemetrytest.Recorder
	r.Record(telemetry.Event{Kind: telemetry.Join, View: "a"})
	done := make(chan telemetry.Event)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		e, _ := r.Wait(ctx, func(e telemetry.Event) bool { return e.Kind == telemetry.Leave })
		done <- e
	}()
	r.Record(telemetry.Event{Kind: telemetry.Leave, View: "a"})
	assert.Equal(t, telemetry.Event{Kind: telemetry.Leave, View: "a"}, <-done)
	assert.Len(t, r.Events(), 2)
	assert.Len(t, r.Of(telemetry.Join), 1)
}

func TestRecorderWaitGivesUp(t *testing.T) {
	var r telemetrytest.Recorder
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	_, err := r.Wait(ctx, func(telemetry.Event) bool { return true })
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func ExampleRecorder() {
	var r telemetrytest.Recorder
	var sink telemetry.Sink = &r // livetemplate.WithTelemetry(&r) in a test
	sink.Record(telemetry.Event{Kind: telemetry.Action, Store: "counter", Outcome: telemetry.OK})
	sink.Record(telemetry.Event{Kind: telemetry.Refusal, Refusal: telemetry.RefusedRateLimited})
	for _, e := range r.Of(telemetry.Action) {
		fmt.Println(e.Kind, e.Store, e.Outcome)
	}
	// Output: action counter ok
}
