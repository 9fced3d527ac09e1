package idempotency_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/idempotency"
	"github.com/partnerkit/partnerkit/idempotency/idemtest"
)

func TestMemory(t *testing.T) {
	idemtest.Run(t, func(*testing.T) idempotency.Store { return idempotency.NewMemory() })
}
