// Package telemetry is the port through which livetemplate reports what it
// does: pages loaded, joined and left, actions, pushes, calls to the
// session store and the bus, and refusals. Pass a [Sink] to
// livetemplate.WithTelemetry; the engine records an [Event] where each
// thing happens. The package depends on the standard library only, so an
// adapter (telemetry/promsink for Prometheus, in a module of its own) can
// import it without pulling anything into the core module.
//
// # Map
//
//   - [Event] and its [Kind] say what happened; the constants list every
//     value its label fields take ([OK], the transports, the operations,
//     the refusal kinds).
//   - [Sink] and [SinkFunc] receive events. A Sink is called on the hot
//     path, while a client waits: it must be safe for concurrent use, cheap,
//     and never block (update counters; hand slow work to a goroutine of
//     your own through a bounded queue).
//   - telemetry/telemetrytest records events for tests.
//
// # Labels
//
// Every string field of an Event is meant to be usable as a metric label:
// each takes its values from a small set fixed by the program (a view is a
// template's name, a store a Go type's name, an outcome a wire error code).
// No field ever carries what a client sent (an action's name, a URL, a
// header), so a client cannot make a metric's label set grow.
package telemetry
