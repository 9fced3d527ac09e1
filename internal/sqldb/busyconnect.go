package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// connectBusyWait bounds how long opening a SQLite connection retries while
// the file is busy; it matches the busy_timeout SQLiteDSN sets.
const connectBusyWait = 10 * time.Second

// busyRetryConnector opens SQLite connections, retrying while the file is
// busy. Opening applies the DSN's pragmas, and switching a file to WAL
// promotes the connection's read lock to an exclusive one: while another
// connection holds RESERVED, SQLite refuses that at once instead of
// calling its busy handler (to avoid a deadlock). Several processes
// opening one new database at once saw "database is locked" from the
// first connection (2 of 100 runs of TestMigrateConcurrent;
// TestOpenWaitsWhileTheFileIsLocked reproduces it every time).
type busyRetryConnector struct{ base driver.Connector }

func (c busyRetryConnector) Connect(ctx context.Context) (driver.Conn, error) {
	deadline := time.Now().Add(connectBusyWait)
	pause := time.Millisecond
	for {
		conn, err := c.base.Connect(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(pause):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

func (c busyRetryConnector) Driver() driver.Driver { return c.base.Driver() }

// isBusy reports whether err is SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
