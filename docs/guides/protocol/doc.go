// Package protocol holds the code of docs/protocol-by-hand.md (one session of the protocol, message by message), run as examples.
package protocol
