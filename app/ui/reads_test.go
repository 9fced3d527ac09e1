package ui

import (
	"context"
	"errors"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// readProbe is a screen with one read: it keeps what its changes told it.
type readProbe struct {
	app.Compo
	reader
	ctx     app.Context
	shown   string
	err     error
	changes []loadStatus
}

// OnPreRender keeps the context (the test engine runs as the server does:
// OnMount is the browser's).
func (p *readProbe) OnPreRender(ctx app.Context) { p.ctx = ctx }

func (p *readProbe) Render() app.UI { return app.Elem("p").Text(p.shown) }

// ask starts a read of key whose answer is v (or err), as a screen does,
// and returns its request, set once the engine has run the action: the
// test hands it to handleRead when it wants the answer to land.
func (p *readProbe) ask(key string, v string, err error) *readRequest {
	req := &readRequest{}
	p.ctx.Handle(actionRead, func(_ app.Context, a app.Action) { *req = a.Value.(readRequest) })
	p.read(p.ctx, key, func(context.Context) (any, error) { return v, err }, func(s loadState) {
		p.changes = append(p.changes, s.Status)
		if got, err, ok := outcome[string](s); ok {
			p.shown, p.err = got, err
		}
	})
	return req
}

// TestReadStates runs reads through the action handler and the states: a
// read goes loading then loaded (or failed); an earlier read's answer that
// lands after a later one's is not shown; a later read of another key
// stops the observation of the first.
func TestReadStates(t *testing.T) {
	saved := api
	api = client.New("", nil) // a browser's client: reads run (they never call it here)
	t.Cleanup(func() { api = saved })
	e := app.NewTestEngine()
	p := &readProbe{}
	if err := e.Load(p); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	land := func(r *readRequest) {
		t.Helper()
		if r.Read == nil {
			t.Fatal("the read asked for no action")
		}
		handleRead(p.ctx, app.Action{Name: actionRead, Value: *r})
		e.ConsumeAll()
	}

	first := p.ask("k", "first", nil)
	e.ConsumeAll()
	if !p.loading() || p.shown != "" {
		t.Fatalf("asked: loading %v, shown %q; want loading and nothing", p.loading(), p.shown)
	}
	land(first)
	if p.loading() || p.shown != "first" || p.err != nil {
		t.Fatalf("answered: loading %v, shown %q, err %v; want first", p.loading(), p.shown, p.err)
	}

	// A reload after a change: the earlier answer lands last.
	stale := p.ask("k", "stale", nil)
	fresh := p.ask("k", "fresh", nil)
	e.ConsumeAll()
	land(stale)
	if !p.loading() || p.shown != "first" {
		t.Fatalf("an earlier read landed first: loading %v, shown %q; want still loading, first shown", p.loading(), p.shown)
	}
	land(fresh)
	land(stale)
	if p.loading() || p.shown != "fresh" {
		t.Fatalf("after an earlier read landed late: loading %v, shown %q; want fresh, loaded", p.loading(), p.shown)
	}

	// A failed read: its error, and nothing shown.
	failed := p.ask("k", "", partnerkit.NotFound("partner", "PA-x"))
	e.ConsumeAll()
	land(failed)
	if p.shown != "" || !(loadState{Status: loadFailed, Err: p.err}).missing() {
		t.Fatalf("failed: shown %q, err %v; want nothing and not_found", p.shown, p.err)
	}
	offline := p.ask("k", "", &partnerkit.Error{Code: client.CodeUnreachable, Message: "no connection"})
	e.ConsumeAll()
	land(offline)
	if !(loadState{Status: loadFailed, Err: p.err}).offline() {
		t.Fatalf("an unreachable read: err %v, want offline", p.err)
	}

	// Another key: the first's late answers no longer reach the screen.
	old := p.ask("k", "old key", nil)
	other := p.ask("other", "other key", errors.New("boom"))
	e.ConsumeAll()
	land(other)
	land(old)
	if p.shown != "" || p.err == nil || p.err.Error() != "boom" {
		t.Fatalf("shown %q, err %v; want the other key's error only", p.shown, p.err)
	}
	if len(p.changes) == 0 || p.changes[0] != loadLoading {
		t.Fatalf("changes %v: want loading first", p.changes)
	}
}
