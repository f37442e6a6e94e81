package jobs

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// line lets runs go one at a time, strictly in the order they were queued,
// which is the order of their ids. A sync.Mutex would serialize them too
// but promises no order, and the queries that take "the latest run" by id
// assume runs went in the order they were queued.
type line struct {
	mu     sync.Mutex
	places []place // in the order of their ids; the first has the turn
}

// place is a run's place in line; turn is closed when its turn comes.
type place struct {
	id   int64
	turn chan struct{}
}

// join records a run with add and puts it at the back of the line. The
// lock is held while add runs, so that of two runs queued at once the one
// with the lower id is the one in front.
func (l *line) join(add func() (id int64, err error)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	id, err := add()
	if err == nil {
		l.add(id)
	}
	return err
}

// takeIfIdle takes the turn for work that is not a run (an outcome
// refresh) if no run is queued or under way, and returns how to give it
// back; ok is false when the line is busy.
func (l *line) takeIfIdle() (giveBack func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.places) > 0 {
		return nil, false
	}
	const notARun = 0 // run ids start at 1
	l.add(notARun)
	return func() { l.leave(notARun) }, true
}

func (l *line) add(id int64) {
	p := place{id: id, turn: make(chan struct{})}
	if len(l.places) == 0 {
		close(p.turn)
	}
	l.places = append(l.places, p)
}

// wait returns when run id's turn comes, or ctx's error once ctx ends:
// a run stopped before its turn, or as it came, does not start.
func (l *line) wait(ctx context.Context, id int64) error {
	turn, ok := l.turnOf(id)
	if !ok {
		return fmt.Errorf("run %d was never queued", id)
	}
	select {
	case <-turn:
	case <-ctx.Done():
	}
	return ctx.Err()
}

func (l *line) turnOf(id int64) (chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.index(id)
	if i < 0 {
		return nil, false
	}
	return l.places[i].turn, true
}

// leave takes run id out of line, handing the turn to the next run if it
// had it.
func (l *line) leave(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.index(id)
	if i < 0 {
		return
	}
	l.places = slices.Delete(l.places, i, i+1)
	if i == 0 && len(l.places) > 0 {
		close(l.places[0].turn)
	}
}

// index is where run id is in line, -1 if it is not; l.mu is held.
func (l *line) index(id int64) int {
	return slices.IndexFunc(l.places, func(p place) bool { return p.id == id })
}
