package webhooks

import (
	"math/rand/v2"
	"time"
)

// RetrySchedule is how long after a failed attempt the next one runs: 13
// attempts over about three days (1m, 5m, 30m, 1h, 2h, 4h, 8h, then every
// 12h), each delay spread by ±10 % so that retries of many deliveries do
// not arrive together. After the last, the endpoint is disabled.
var RetrySchedule = []time.Duration{
	time.Minute, 5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour,
	12 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour,
}

// Jitter is the spread of each retry delay (a fraction of it).
const Jitter = 0.10

// nextDelay returns the delay before attempt n+1 after attempt n failed,
// and false when n was the last attempt of schedule.
func nextDelay(schedule []time.Duration, n int) (time.Duration, bool) {
	if n < 1 || n > len(schedule) {
		return 0, false
	}
	d := schedule[n-1]
	spread := float64(d) * Jitter
	return d + time.Duration((rand.Float64()*2-1)*spread), true
}
