package redisbus

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/broadcast"
)

// errPingUnanswered reports a connection that stayed silent for a health
// check interval after a PING.
var errPingUnanswered = errors.New("health check ping unanswered")

// subscriber is the state of one Subscribe call. Only its goroutine uses
// it.
type subscriber struct {
	bus     *Bus
	r       broadcast.Receiver
	backoff time.Duration // wait before the next attempt

	down            bool // an outage was logged and no recovery yet
	lost            bool // messages may have been lost: Resync is owed
	warnedNewer     bool // an envelope of a newer version was logged
	warnedMalformed bool // a malformed envelope was logged
}

// run keeps a subscription alive until ctx is done.
func (s *subscriber) run(ctx context.Context) {
	for {
		err := s.connection(ctx)
		if ctx.Err() != nil {
			return
		}
		s.interrupted(err)
		if !sleep(ctx, s.backoff) {
			return
		}
		s.backoff = min(2*s.backoff, maxBackoff)
	}
}

// connection subscribes on a new connection and delivers its messages
// until the connection fails, which it returns, or ctx is done.
func (s *subscriber) connection(ctx context.Context) error {
	b := s.bus
	ps := b.client.Subscribe(ctx) // no channel yet: does not connect
	closed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = ps.Close() // interrupts a blocked read
		close(closed)
	})
	defer func() {
		if stop() {
			_ = ps.Close()
		} else {
			<-closed
		}
	}()

	if err := ps.Subscribe(ctx, b.channel); err != nil {
		return err
	}
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, b.health)
		if err != nil {
			if ctx.Err() != nil || !isTimeout(err) {
				return err
			}
			if pinged {
				return errPingUnanswered
			}
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			pinged = true
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == b.channel {
				s.confirmed()
			}
		case *redis.Message:
			s.deliver(m.Payload)
		}
	}
}

// interrupted records that the subscription failed with err.
func (s *subscriber) interrupted(err error) {
	s.lost = true
	if !s.down {
		s.down = true
		s.bus.logger.Warn("redisbus: subscription interrupted; reconnecting", "channel", s.bus.channel, "err", err)
	}
}

// confirmed records that Redis confirmed the subscription, and calls
// Resync if messages may have been lost before.
func (s *subscriber) confirmed() {
	s.backoff = minBackoff
	if s.down {
		s.down = false
		s.bus.logger.Info("redisbus: subscription restored", "channel", s.bus.channel)
	}
	if s.lost {
		s.lost = false
		s.r.Resync()
	}
}

// deliver opens the envelope env and hands its message to the receiver,
// unless it is the Bus's own or unreadable.
func (s *subscriber) deliver(env string) {
	msg, res := open(s.bus.origin, env)
	switch res {
	case opened:
		s.r.Receive(msg)
	case newer:
		if !s.warnedNewer {
			s.warnedNewer = true
			s.bus.logger.Warn("redisbus: ignoring messages of a newer envelope version",
				"channel", s.bus.channel, "version", int(env[0]), "supported", envelopeVersion)
		}
	case malformed:
		if !s.warnedMalformed {
			s.warnedMalformed = true
			s.bus.logger.Warn("redisbus: ignoring malformed messages", "channel", s.bus.channel, "len", len(env))
		}
	case own:
	}
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sleep waits for d, and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
