package mail

import (
	"math/rand/v2"
	"time"
)

// RetrySchedule is how long after a temporary failure the next send runs:
// 10 attempts over about a day (1m, 5m, 15m, 30m, 1h, 2h, 4h, 8h, 8h),
// each delay spread by ±10 % so that the retries of many messages do not
// arrive together. After the last, the message is marked failed.
var RetrySchedule = []time.Duration{
	time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour,
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
