package partnerkit

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"
)

// A version precondition is what HTTP's If-Match asks of a write: change
// the versioned resource only while it is at a version the caller read.
// It travels in the context, as the transaction does, so that every
// service honours it the same way without a parameter of its own:
//
//   - the caller (app/api, for If-Match) sets it with IfVersion;
//   - the service, in its transaction, calls CheckIfVersion on the
//     resource it loaded before it applies any rule of its own;
//   - the store's conditional update (UPDATE … WHERE id = ? AND version =
//     ?, the version loaded) holds it to the commit: a concurrent change
//     that committed in between makes the update find another version, and
//     StaleVersion, which the stores use for that, is then the same
//     precondition_failed error.
//
// A service that removes the resource or acts without changing it keeps
// the precondition by locking the row (or updating it conditionally)
// first: see each Store's "Concurrency" notes.
type ifVersion struct {
	id       string
	versions []int
	checked  atomic.Bool
}

type ifVersionKey struct{}

// IfVersion returns a context under which a change of the versioned
// resource id applies only while the resource is at one of versions (none:
// at no version, as If-Match naming no version of it); any other change is
// precondition_failed. It applies to that one resource: the others a
// service changes along with it are not conditioned.
func IfVersion(ctx context.Context, id string, versions ...int) context.Context {
	return context.WithValue(ctx, ifVersionKey{}, &ifVersion{id: id, versions: versions})
}

func ifVersionOf(ctx context.Context, id string) *ifVersion {
	p, _ := ctx.Value(ifVersionKey{}).(*ifVersion)
	if p == nil || p.id != id {
		return nil
	}
	return p
}

// HasIfVersion reports whether ctx carries a version precondition on id.
func HasIfVersion(ctx context.Context, id string) bool { return ifVersionOf(ctx, id) != nil }

// IfVersionChecked reports whether a service checked ctx's version
// precondition (CheckIfVersion on its resource), so that a caller can tell
// a service that ignored it.
func IfVersionChecked(ctx context.Context) bool {
	p, _ := ctx.Value(ifVersionKey{}).(*ifVersion)
	return p != nil && p.checked.Load()
}

// CheckIfVersion checks ctx's version precondition on resource kind id
// against current, the version the service loaded in its transaction
// before changing it: nil without one, precondition_failed when current is
// not one it allows. A service calls it once, where it loads the resource
// the request acts on (after its own change the version has moved on).
func CheckIfVersion(ctx context.Context, kind, id string, current int) error {
	p := ifVersionOf(ctx, id)
	if p == nil {
		return nil
	}
	if !slices.Contains(p.versions, current) {
		return preconditionFailed(kind, id, current)
	}
	p.checked.Store(true)
	return nil
}

// StaleVersion is the error of a conditional update or removal of resource
// kind id that found it at another version than the one it was given (it
// changed since it was read): precondition_failed when ctx carries a
// version precondition on id, else conflict.
func StaleVersion(ctx context.Context, kind, id string) *Error {
	if ifVersionOf(ctx, id) != nil {
		return preconditionFailed(kind, id, -1)
	}
	return Errorf(CodeConflict, "%s %s was changed by someone else", kind, id)
}

func preconditionFailed(kind, id string, current int) *Error {
	now := ""
	if current >= 0 {
		now = " (its ETag is now \"" + strconv.Itoa(current) + "\")"
	}
	return Errorf(CodePreconditionFailed, "If-Match does not hold: %s %s changed since it was read%s; read it again", kind, id, now)
}
