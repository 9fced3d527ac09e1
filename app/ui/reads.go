package ui

import (
	"context"
	"sync/atomic"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// A screen's data loads through go-app's actions and states, as the go-app
// documentation's own site organises its data:
//
//   - the screen names the read by a state key (its API URL) and asks for
//     it with read: the state becomes loading, and an actionRead action
//     carries the read to handleRead;
//   - handleRead, the one handler of every read (app.Handle in Register),
//     runs it and sets the state to loaded or failed; a session that is
//     gone sends the user to sign in, back to the screen after, here once
//     for every screen;
//   - the screen observes the state (ctx.ObserveState) and renders its
//     loading, loaded and error cases as it changes.
//
// Offline, the client's transport answers a read made before from its
// offline copy (client_js.go), which persists in the browser; a read never
// made here fails with client.CodeUnreachable, which screens show as
// offline, not as an error.

// actionRead is the action of a screen's read (readRequest).
const actionRead = "partnerkit.read"

// loadStatus is where a read stands; the zero value is a read not asked
// for (prerendering on the server).
type loadStatus int

const (
	// loadLoading is a read under way.
	loadLoading loadStatus = iota + 1
	// loadLoaded is a read answered: Value holds the answer.
	loadLoaded
	// loadFailed is a read that failed: Err says why.
	loadFailed
)

// loadState is the state of one read, observed by its screen.
type loadState struct {
	// Seq numbers the read (readSeq): the answer of an earlier read of the
	// same key that lands after a later one's is not the screen's.
	Seq    uint64
	Status loadStatus
	// Value is the answer of a loaded read (what the read returned).
	Value any
	// Err is the error of a failed read.
	Err error
}

// offline reports whether the read failed for want of the connection (and
// had no offline copy).
func (s loadState) offline() bool { return s.Status == loadFailed && client.Unreachable(s.Err) }

// missing reports whether the read's object does not exist (or is not
// one the user may see).
func (s loadState) missing() bool {
	return s.Status == loadFailed && partnerkit.ErrorCode(s.Err) == partnerkit.CodeNotFound
}

// readRequest is the value of an actionRead action: the state to set, and
// the read.
type readRequest struct {
	State string
	Seq   uint64
	Read  func(ctx context.Context) (any, error)
}

// readSeq numbers the reads of the app.
var readSeq atomic.Uint64

// handleRead runs a read and sets its state (see above). go-app runs it
// on a goroutine of its own.
func handleRead(ctx app.Context, a app.Action) {
	r, ok := a.Value.(readRequest)
	if !ok || r.Read == nil {
		return
	}
	v, err := r.Read(ctx)
	if unauthorized(err) {
		ctx.Dispatch(func(ctx app.Context) { signedOut(ctx, err) })
		return
	}
	if err != nil {
		ctx.SetState(r.State, loadState{Seq: r.Seq, Status: loadFailed, Err: err})
		return
	}
	ctx.SetState(r.State, loadState{Seq: r.Seq, Status: loadLoaded, Value: v})
}

// reader is what a screen embeds to read through states: the state it
// observes and the key of its current read.
type reader struct {
	state loadState
	key   string
	seq   uint64 // the current read's (loadState.Seq)
	// status is the current read's: state may hold an earlier read's late
	// answer, which the screen does not take.
	status loadStatus
}

// read makes the screen observe the state key, set to loading, and asks
// for the read; changed runs on the screen's goroutine each time the state
// changes (loading, then loaded or failed). A later read of the screen
// replaces this one: the screen stops observing the earlier key, and an
// answer of an earlier read of the same key (a reload after a change,
// while the first load was under way) is ignored however late it lands.
func (r *reader) read(ctx app.Context, key string, fn func(ctx context.Context) (any, error), changed func(loadState)) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	seq := readSeq.Add(1)
	r.key, r.seq, r.status = key, seq, loadLoading
	ctx.SetState(key, loadState{Seq: seq, Status: loadLoading})
	ctx.ObserveState(key, &r.state).
		While(func() bool { return r.key == key }).
		OnChange(func() {
			if r.state.Seq == r.seq { // not an earlier read's late answer
				r.status = r.state.Status
				changed(r.state)
			}
		})
	changed(r.state)
	ctx.NewActionWithValue(actionRead, readRequest{State: key, Seq: seq, Read: fn})
}

// loading reports whether the screen's current read is under way.
func (r *reader) loading() bool { return r.status == loadLoading }

// loadingNote is what a screen shows while its first read is under way.
func loadingNote(id, text string) app.UI {
	return app.Elem("p").ID(id).Class("loading").Attr("role", "status").Attr("aria-busy", "true").Text(text)
}

// outcome is a read's answer as T, or its error, once it is done; ok is
// false while it loads.
func outcome[T any](s loadState) (v T, err error, ok bool) {
	switch s.Status {
	case loadLoaded:
		v, _ = s.Value.(T)
		return v, nil, true
	case loadFailed:
		return v, s.Err, true
	}
	return v, nil, false
}

// accountList is a list read with the signed-in account it is seen from
// (a list whose rows read differently on each side).
type accountList[T any] struct {
	account string
	list    *client.List[T]
}
