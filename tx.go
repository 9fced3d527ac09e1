package partnerkit

import "context"

// Transactor runs a function atomically: all its changes become visible
// together or not at all. The transaction travels in the context passed to fn;
// stores that share one database (every memstore on one memory DB, every
// bunstore on one *bun.DB) join it, so one call can span several domains.
// A nested call joins the outer transaction; if the inner fn fails its changes
// are rolled back even when the outer fn carries on.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Located is implemented by a store that can tell which database holds it
// (its memory DB or its *bun.DB). Stores that change together in one
// transaction must say the same; wiring.New checks it.
type Located interface {
	Database() any
}
