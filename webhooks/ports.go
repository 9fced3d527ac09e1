package webhooks

import (
	"context"
	"net/netip"
	"time"

	"github.com/partnerkit/partnerkit/partners"
)

// Accounts is what webhooks asks of the partners domain; a
// *partners.Service provides it.
type Accounts interface {
	// LookupAccount returns an account by ID with no tenancy check (the
	// fan-out finds the accounts above an event's account by its path).
	LookupAccount(ctx context.Context, id string) (*partners.Account, error)
}

// Request is one POST of a delivery.
type Request struct {
	URL    string
	Header map[string]string
	Body   []byte
}

// Response is what the endpoint answered: its status, the first
// ResponseSnippet bytes of its body, and how long it took.
type Response struct {
	StatusCode int
	Body       []byte
	Latency    time.Duration
}

// Sender POSTs a request (package webhooks/httpsender is the HTTP one).
// An error means there was no HTTP answer (refused address, connection
// failure, timeout); its text is shown in the delivery log.
type Sender interface {
	Send(ctx context.Context, r Request) (Response, error)
}

// Scheduler runs delivery attempts. ScheduleAttempt is called inside the
// transaction that makes the attempt due, and must run it (Service.Attempt
// with the job) at or soon after at, at least once,
// only if that transaction commits: the job engine inserts a job in the
// transaction; the in-process scheduler of the memory stores waits for the
// commit.
type Scheduler interface {
	ScheduleAttempt(ctx context.Context, job AttemptJob) error
}

// AttemptJob is one scheduled attempt of a delivery.
type AttemptJob struct {
	DeliveryID string `json:"delivery_id"`
	// Number is the attempt's number (the delivery's attempts so far + 1):
	// a job whose number was recorded already does nothing.
	Number int `json:"number"`
	// At is when the attempt is due.
	At time.Time `json:"at"`
	// Manual marks a redelivery a user asked for.
	Manual bool `json:"manual,omitempty"`
}

// Resolver looks up a host's addresses (net.DefaultResolver's
// LookupNetIP in the server).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}
