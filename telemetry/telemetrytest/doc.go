// Package telemetrytest records telemetry events for tests: pass a
// [Recorder] as the app's sink (livetemplate.WithTelemetry), drive the app,
// then look at what it recorded, or wait for an event that comes later
// (a leave once a connection has ended).
package telemetrytest
