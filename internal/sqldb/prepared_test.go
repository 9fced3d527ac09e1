package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/internal/testdb"
)

// TestPreparedInManyTransactions runs more transactions at once than the
// PostgreSQL pool has connections, each holding its connection while it
// runs a Prepared query for the first time: preparing it on the database
// would take a second connection that none can free (they waited for each
// other until their contexts ended). Each transaction must run its queries
// on its own connection.
func TestPreparedInManyTransactions(t *testing.T) {
	db := testdb.Postgres(t)
	p := sqldb.NewPrepared(db)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const n = 2 * sqldb.MaxPostgresConns
	var inTx, wg sync.WaitGroup
	inTx.Add(sqldb.MaxPostgresConns)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = sqldb.InTx(ctx, db, func(ctx context.Context) error {
				if i < sqldb.MaxPostgresConns {
					// Every connection of the pool is in a transaction
					// before any prepares.
					inTx.Done()
					inTx.Wait()
				}
				var got int
				query := fmt.Sprintf("SELECT ? + %d", i%4) // a few statements, each new to most transactions
				if err := p.QueryRow(ctx, query, 1).Scan(&got); err != nil {
					return err
				}
				if got != 1+i%4 {
					return fmt.Errorf("got %d", got)
				}
				_, err := p.Exec(ctx, "SELECT ?::int", i)
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
}
