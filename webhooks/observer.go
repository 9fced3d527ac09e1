package webhooks

// Observer is told of the outcome of every delivery attempt once it is
// recorded, for metrics (the server counts them for /metrics). Its method
// must be quick and safe for concurrent use; it cannot fail an attempt.
type Observer interface {
	AttemptRecorded(outcome AttemptOutcome)
}

// AttemptOutcome is what an attempt came to.
type AttemptOutcome string

// Attempt outcomes.
const (
	// OutcomeSucceeded: the endpoint answered 2xx; the delivery is done.
	OutcomeSucceeded AttemptOutcome = "succeeded"
	// OutcomeRetrying: the attempt failed and another one is scheduled.
	OutcomeRetrying AttemptOutcome = "retrying"
	// OutcomeFailed: the attempt failed and was the delivery's last (or
	// a test or manual one, which is never retried).
	OutcomeFailed AttemptOutcome = "failed"
)

// AttemptOutcomes lists the outcomes, for metrics that start at zero.
func AttemptOutcomes() []AttemptOutcome {
	return []AttemptOutcome{OutcomeSucceeded, OutcomeRetrying, OutcomeFailed}
}

// WithObserver sets who is told of attempt outcomes.
func WithObserver(o Observer) Option { return func(s *Service) { s.observer = o } }

// observe tells the observer, if any, the outcome of d's attempt just
// recorded.
func (s *Service) observe(d *Delivery) {
	if s.observer == nil {
		return
	}
	switch d.Status {
	case DeliverySucceeded:
		s.observer.AttemptRecorded(OutcomeSucceeded)
	case DeliveryPending:
		s.observer.AttemptRecorded(OutcomeRetrying)
	default:
		s.observer.AttemptRecorded(OutcomeFailed)
	}
}
