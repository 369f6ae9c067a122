package lease

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/lvtgo/livetemplate/session"
)

// lead keeps one name's lease: its loop reads or renews the record every
// Renew, and starts and ends the terms in which run runs.
type lead struct {
	r    *Runner
	name string
	key  string
	run  func(context.Context)
	log  *slog.Logger

	// Owned by loop.
	version uint64    // of the record as last read or written; 0: absent
	seen    time.Time // when this instance first saw version
	mine    bool      // the record at version names this instance
	term    *term     // while this instance holds the lease
	failing bool      // the last call of the store failed

	panicked time.Time // when a panic of run was last logged; owned by runs
}

// loop keeps the lease until the Runner stops, then frees it.
func (l *lead) loop() {
	wake := time.NewTimer(0)
	defer wake.Stop()
	for {
		select {
		case <-l.r.ctx.Done():
			l.release()
			return
		case <-wake.C:
		}
		if l.r.ctx.Err() != nil {
			continue // stopped meanwhile: release at once
		}
		start := time.Now()
		wake.Reset(time.Until(start.Add(l.step())))
	}
}

// step renews the lease this instance holds, or reads it and takes it when
// it is free or ran out; it returns when to step again, from its start.
func (l *lead) step() time.Duration {
	if l.term != nil && l.term.expired() {
		l.stop("stopped leading: the lease could not be renewed in time", slog.LevelWarn)
	}
	if l.term != nil && (l.renew() || l.term != nil) {
		// Renewed; or the store fails, and the term lasts until its
		// deadline.
		return l.r.o.Renew
	}
	return l.follow()
}

// hold is how long a successful Put keeps this instance leading: a fifth
// less than the others wait, as a margin for pauses and clock rates.
func (l *lead) hold() time.Duration { return l.r.o.Lease - l.r.o.Lease/5 }

// renew renews the lease of the current term; it reports whether it did.
// When another instance holds the lease, the term ends.
func (l *lead) renew() bool {
	me := l.r.o.Holder
	start := time.Now()
	v, err := l.put(me, l.version)
	if errors.Is(err, session.ErrConflict) {
		// The answer to an earlier renewal may have been lost after the
		// store took it: then the record still names this instance.
		holder, cur, gerr := l.get()
		switch {
		case gerr != nil:
			err = gerr
		case holder == me:
			l.version, start = cur, time.Now()
			v, err = l.put(me, cur)
		}
	}
	switch {
	case err == nil:
		l.version, l.mine = v, true
		l.term.extend(start.Add(l.hold()))
		l.ok()
		return true
	case errors.Is(err, session.ErrConflict):
		l.mine = false
		l.stop("stopped leading: another instance holds the lease", slog.LevelInfo)
	default:
		l.failed(err)
	}
	return false
}

// follow reads the lease and takes it when it is free, names this instance
// or has not changed for Lease; it returns when to read it again.
func (l *lead) follow() time.Duration {
	o := l.r.o
	holder, v, err := l.get()
	now := time.Now()
	if err != nil {
		l.failed(err)
		return o.Renew
	}
	l.ok()
	if v != l.version || v == 0 {
		l.version, l.seen = v, now
	}
	l.mine = holder == o.Holder
	free := v == 0 || holder == "" || l.mine
	if left := o.Lease - now.Sub(l.seen); !free && left > 0 {
		return min(o.Renew, left)
	}
	start := time.Now()
	v, err = l.put(o.Holder, v)
	switch {
	case err == nil:
		l.version, l.seen, l.mine = v, start, true
		l.term = l.begin(start.Add(l.hold()))
		l.log.Info("this instance leads")
	case errors.Is(err, session.ErrConflict):
		// Another instance was first; the next read starts its clock.
	default:
		l.failed(err)
	}
	return o.Renew
}

// stop ends the current term (waiting for run to return), saying why.
func (l *lead) stop(why string, level slog.Level) {
	l.term.end()
	l.term = nil
	l.log.Log(context.Background(), level, why)
}

// release ends the current term, then marks the lease free if the record
// names this instance, so that another takes over without waiting for it
// to run out. A failure is left to the lease running out.
func (l *lead) release() {
	if l.term != nil {
		l.term.end()
		l.term = nil
	}
	if !l.mine {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.r.o.Timeout)
	defer cancel()
	if _, err := l.r.o.Store.Put(ctx, l.key, encode(""), l.version); err != nil {
		l.log.Debug("freeing the lease failed; it runs out instead", "err", err)
	}
}

// get reads the record: its holder and version, or "" and 0 when absent.
func (l *lead) get() (holder string, version uint64, err error) {
	ctx, cancel := context.WithTimeout(l.r.ctx, l.r.o.Timeout)
	defer cancel()
	b, v, err := l.r.o.Store.Get(ctx, l.key)
	if errors.Is(err, session.ErrNotFound) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	return decode(b), v, nil
}

// put writes a record naming holder over version.
func (l *lead) put(holder string, version uint64) (uint64, error) {
	ctx, cancel := context.WithTimeout(l.r.ctx, l.r.o.Timeout)
	defer cancel()
	return l.r.o.Store.Put(ctx, l.key, encode(holder), version)
}

// failed logs the first failure of the store of an outage.
func (l *lead) failed(err error) {
	if l.failing || l.r.ctx.Err() != nil {
		return
	}
	l.failing = true
	if l.term != nil {
		l.log.Warn("the session store fails: the led function stops unless it answers before the lease runs out", "err", err)
	} else {
		l.log.Warn("the session store fails: this instance cannot take the lease", "err", err)
	}
}

// ok logs the end of an outage.
func (l *lead) ok() {
	if l.failing {
		l.failing = false
		l.log.Info("the session store answers again")
	}
}
