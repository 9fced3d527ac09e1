package partners

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// Session and sign-in limits.
const (
	// SessionTTL is how long a sign-in lasts.
	SessionTTL = 7 * 24 * time.Hour
	// MaxLoginFailures failed sign-ins within LoginWindow lock an email or
	// an address out until that window ends: for at most LoginLockout.
	MaxLoginFailures = 5
	LoginWindow      = 15 * time.Minute
	LoginLockout     = 15 * time.Minute
	// touchEvery bounds how often a session or key records its last use.
	touchEvery = time.Minute
	// APIKeyPrefix starts every API key, so leaked keys are recognisable.
	APIKeyPrefix = "pk_"
	// PrefixAPIKey is the ID prefix of API keys.
	PrefixAPIKey = "AK"
)

// Session is a signed-in browser. Only the token's hash is stored.
type Session struct {
	// ID names the session in lists ("SE-…"); it is not the token and
	// cannot be used as one.
	ID string `json:"id"`
	// TokenHash is the hex SHA-256 of the session token.
	TokenHash string `json:"-"`
	// UserID is the signed-in user; AccountID the account acted in now.
	UserID    string `json:"user_id"`
	AccountID string `json:"account_id"`
	// CreatedAt, ExpiresAt and LastSeenAt are in UTC.
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// UserAgent and Address are the browser's User-Agent and network
	// address at sign-in (see DeviceName).
	UserAgent string `json:"user_agent,omitempty"`
	Address   string `json:"address,omitempty"`
	// Restricted limits the session to two-factor enrolment: its account
	// requires two-factor sign-in and the user has none yet.
	Restricted bool `json:"restricted,omitempty"`
}

// APIKey lets a program act in an account with a role. The key itself is
// shown once, at creation; only its hash is stored.
type APIKey struct {
	ID string `json:"id"`
	// TokenHash is the hex SHA-256 of the key.
	TokenHash string `json:"-"`
	// Prefix is the key's first characters, to recognise it in lists.
	Prefix      string          `json:"prefix"`
	AccountID   string          `json:"account_id"`
	Role        partnerkit.Role `json:"role"`
	Description string          `json:"description"`
	CreatedBy   string          `json:"created_by"`
	CreatedAt   time.Time       `json:"created_at"`
	ExpiresAt   *time.Time      `json:"expires_at,omitempty"`
	RevokedAt   *time.Time      `json:"revoked_at,omitempty"`
	LastUsedAt  *time.Time      `json:"last_used_at,omitempty"`
	// Creator is who created the key, in lists (nil for a key made by
	// another key). A key dies with its creator's membership: removing the
	// member revokes it.
	Creator *KeyCreator `json:"creator,omitempty"`
}

// KeyCreator names the user who created an API key.
type KeyCreator struct {
	UserID   string `json:"user_id"`
	Email    string `json:"email"`
	FullName string `json:"full_name"`
}

// LoginFailures counts the recent sign-in attempts of one email or address
// that did not succeed (an attempt counts from the moment it starts; a
// successful sign-in clears the count).
type LoginFailures struct {
	// Key is "email:<email>" or "addr:<address>".
	Key string `json:"key"`
	// Failures counts the attempts since WindowStart.
	Failures int `json:"failures"`
	// WindowStart is when the first counted attempt of the window came.
	WindowStart time.Time `json:"window_start"`
	// LockedUntil, when set, is when the key may try again.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	// Seq counts the changes of the row: SwapLoginFailures compares it.
	Seq int `json:"seq"`
}

// SessionView is a session read with what authenticating it needs, in one
// statement: the user's role in the session's account ("" when they are no
// longer a member) and that account's status.
type SessionView struct {
	Session
	Role          partnerkit.Role
	AccountStatus Status
}

// APIKeyView is an API key read with its account's status, in one statement.
type APIKeyView struct {
	APIKey
	AccountStatus Status
}

// AuthStore persists sessions, API keys and sign-in failures. Errors:
// not_found for missing rows; internal otherwise.
type AuthStore interface {
	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, tokenHash string) (*Session, error)
	// GetSessionView returns a session with its user's role in, and the
	// status of, its account (one statement on SQL), or not_found.
	GetSessionView(ctx context.Context, tokenHash string) (*SessionView, error)
	// TouchSessions records when sessions were last seen (a batch; unknown
	// sessions are skipped).
	TouchSessions(ctx context.Context, seen map[string]time.Time) error
	// UpdateSession writes the session's account and last-seen time.
	UpdateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, tokenHash string) error

	CreateAPIKey(ctx context.Context, k *APIKey) error
	GetAPIKey(ctx context.Context, id string) (*APIKey, error)
	GetAPIKeyByHash(ctx context.Context, tokenHash string) (*APIKey, error)
	// GetAPIKeyView returns a key with its account's status (one statement
	// on SQL), or not_found.
	GetAPIKeyView(ctx context.Context, tokenHash string) (*APIKeyView, error)
	// TouchAPIKeys records when keys were last used (a batch; unknown keys
	// are skipped).
	TouchAPIKeys(ctx context.Context, used map[string]time.Time) error
	// ListAPIKeys returns an account's keys, newest first.
	ListAPIKeys(ctx context.Context, accountID string) ([]APIKey, error)
	// UpdateAPIKey writes the key's revocation and last use.
	UpdateAPIKey(ctx context.Context, k *APIKey) error

	CreateTeamInvitation(ctx context.Context, inv *TeamInvitation) error
	GetTeamInvitationByHash(ctx context.Context, tokenHash string) (*TeamInvitation, error)
	// UseTeamInvitation marks an unused invitation used; of concurrent
	// calls one succeeds and the others get gone.
	UseTeamInvitation(ctx context.Context, id string, at time.Time) error

	// GetLoginFailures returns the count of key, or not_found.
	GetLoginFailures(ctx context.Context, key string) (*LoginFailures, error)
	// SwapLoginFailures stores next as the count of next.Key if the stored
	// count is still old — nil: none is stored; else the stored Seq equals
	// old.Seq — and reports whether it did. It is a compare-and-swap (an
	// INSERT … ON CONFLICT DO NOTHING or an UPDATE … WHERE seq = ?), so of
	// concurrent swaps from one count exactly one succeeds.
	SwapLoginFailures(ctx context.Context, old, next *LoginFailures) (bool, error)
	// DeleteLoginFailures clears the count of key, or not_found.
	DeleteLoginFailures(ctx context.Context, key string) error
}

// newToken returns a random 256-bit token and its hex SHA-256.
func newToken(prefix string) (token, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken returns the hex SHA-256 of a session token or API key.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SignIn checks an email and password and starts a session in the user's
// oldest membership. The check is throttled (see PairAttempts): a refused
// attempt is rate_limited with the time to wait. It returns the session
// token, shown once. A user with two-factor sign-in cannot sign in here
// (unauthorized, saying so): use BeginSignIn and CompleteSignIn.
func (s *Service) SignIn(ctx context.Context, email, password, address string) (string, *Session, error) {
	res, err := s.BeginSignIn(ctx, SignInInput{Email: email, Password: password, Address: address})
	if err != nil {
		return "", nil, err
	}
	if res.Challenge != "" {
		return "", nil, &partnerkit.Error{Code: partnerkit.CodeUnauthorized, Op: "partners.SignIn",
			Message: "this login has two-factor sign-in: a code from its authenticator app is needed as well"}
	}
	return res.Token, res.Session, nil
}

// firstActiveAccount returns the account of the oldest membership whose
// account is not suspended, or forbidden when all are.
func (s *Service) firstActiveAccount(ctx context.Context, memberships []Membership) (string, error) {
	ids := make([]string, len(memberships))
	for i, m := range memberships {
		ids[i] = m.AccountID
	}
	accounts, err := s.store.AccountsByID(ctx, ids)
	if err != nil {
		return "", err
	}
	suspended := map[string]bool{}
	for _, a := range accounts {
		suspended[a.ID] = a.Status == StatusSuspended
	}
	for _, m := range memberships {
		if !suspended[m.AccountID] {
			return m.AccountID, nil
		}
	}
	return "", partnerkit.Errorf(partnerkit.CodeForbidden, "every account of this login is suspended: ask its manager to reactivate it")
}

// SessionActor returns the actor of a session token: the user acting in the
// session's account with the role they hold there now. An unknown or
// expired session, or a lost membership, is unauthorized.
//
// A session acting in a suspended account is forbidden, naming the
// suspension: its members cannot act there until the account is
// reactivated (SessionMember still answers, so that they can see who they
// are and switch to another account).
func (s *Service) SessionActor(ctx context.Context, token string) (partnerkit.Actor, *Session, error) {
	actor, view, err := s.sessionView(ctx, token)
	if err != nil {
		return partnerkit.Actor{}, nil, err
	}
	if view.AccountStatus == StatusSuspended {
		return partnerkit.Actor{}, nil, partnerkit.WithOp("partners.SessionActor", s.checkNotSuspended(ctx, actor.AccountID))
	}
	if view.Restricted {
		return partnerkit.Actor{}, nil, partnerkit.WithOp("partners.SessionActor", errEnrolFirst)
	}
	return actor, &view.Session, nil
}

// checkNotSuspended returns forbidden, naming the suspension, when the
// account is suspended.
func (s *Service) checkNotSuspended(ctx context.Context, accountID string) error {
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return err
	}
	if a.Status == StatusSuspended {
		return partnerkit.Errorf(partnerkit.CodeForbidden,
			"account %q is suspended: its members and API keys cannot act in it until it is reactivated", a.Name)
	}
	return nil
}

// SessionMember returns the actor of a session token like SessionActor,
// but also when the session's account is suspended or the session is
// restricted to two-factor enrolment: for showing who is signed in,
// switching to another account and enrolling.
func (s *Service) SessionMember(ctx context.Context, token string) (partnerkit.Actor, *Session, error) {
	actor, view, err := s.sessionView(ctx, token)
	if err != nil {
		return partnerkit.Actor{}, nil, err
	}
	return actor, &view.Session, nil
}

// sessionView reads a session with the user's role and the account's
// status in one store call, and notes its use for the next batch of
// touches: authenticating a request writes nothing.
func (s *Service) sessionView(ctx context.Context, token string) (partnerkit.Actor, *SessionView, error) {
	const op = "partners.SessionActor"
	if err := partnerkit.CheckID("token", token); err != nil {
		return partnerkit.Actor{}, nil, partnerkit.WithOp(op, err)
	}
	bad := partnerkit.Errorf(partnerkit.CodeUnauthorized, "your session has ended: sign in again")
	view, err := s.store.GetSessionView(ctx, HashToken(token))
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return partnerkit.Actor{}, nil, partnerkit.WithOp(op, bad)
	}
	if err != nil {
		return partnerkit.Actor{}, nil, partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	if !now.Before(view.ExpiresAt) || view.Role == "" { // expired, or no longer a member of its account
		return partnerkit.Actor{}, nil, partnerkit.WithOp(op, bad)
	}
	if now.Sub(view.LastSeenAt) >= touchEvery {
		s.touches.session(s, view.TokenHash, now)
	}
	return partnerkit.Actor{AccountID: view.AccountID, UserID: view.UserID, Role: view.Role}, view, nil
}

// SwitchAccount makes a session act in another account of its user.
func (s *Service) SwitchAccount(ctx context.Context, token, accountID string) (partnerkit.Actor, error) {
	const op = "partners.SwitchAccount"
	if err := validate.All(partnerkit.CheckID("token", token), partnerkit.CheckID("account_id", accountID)); err != nil {
		return partnerkit.Actor{}, partnerkit.WithOp(op, err)
	}
	_, sess, err := s.SessionMember(ctx, token)
	if err != nil {
		return partnerkit.Actor{}, err
	}
	ms, err := s.store.UserMemberships(ctx, sess.UserID)
	if err != nil {
		return partnerkit.Actor{}, partnerkit.WithOp(op, err)
	}
	actor, err := ActorFor(sess.UserID, ms, accountID)
	if err != nil {
		return partnerkit.Actor{}, partnerkit.WithOp(op, partnerkit.FieldError("account_id", "you are not a member of this account"))
	}
	if err := s.checkNotSuspended(ctx, accountID); err != nil {
		return partnerkit.Actor{}, partnerkit.WithOp(op, err)
	}
	sess.AccountID = accountID
	return actor, partnerkit.WithOp(op, s.store.UpdateSession(ctx, sess))
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if err := partnerkit.CheckID("token", token); err != nil {
		return partnerkit.WithOp("partners.SignOut", err)
	}
	err := s.store.DeleteSession(ctx, HashToken(token))
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil
	}
	return partnerkit.WithOp("partners.SignOut", err)
}

// APIKeyInput describes a new API key.
type APIKeyInput struct {
	// Description says what the key is for.
	Description string `json:"description" validate:"required,max=200"`
	// Role is the key's role in the actor's account.
	Role partnerkit.Role `json:"role"`
	// ExpiresAt, when set, must be in the future.
	ExpiresAt *time.Time `json:"expires_at"`
}

// CreateAPIKey creates an API key for the actor's account (admins only)
// and returns it with the key itself, which is never shown again.
func (s *Service) CreateAPIKey(ctx context.Context, actor partnerkit.Actor, in APIKeyInput) (*APIKey, string, error) {
	const op = "partners.CreateAPIKey"
	if err := actor.RequireAccount(); err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	in.Description = strings.TrimSpace(in.Description)
	now := s.clock.Now()
	var expErr error
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		expErr = partnerkit.FieldError("expires_at", "must be in the future")
	}
	if err := validate.All(validate.Struct(in), checkRole(in.Role), expErr); err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	token, hash := newToken(APIKeyPrefix)
	k := &APIKey{ID: partnerkit.NewID(PrefixAPIKey), TokenHash: hash, Prefix: token[:len(APIKeyPrefix)+6],
		AccountID: actor.AccountID, Role: in.Role, Description: in.Description, CreatedBy: actor.Principal(), CreatedAt: now}
	if in.ExpiresAt != nil {
		exp := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		k.ExpiresAt = &exp
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, actor.AccountID, "api_key.created", "api_key", k.ID, nil, k)
	})
	if err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	return k, token, nil
}

// APIKeys lists the API keys of the actor's account (admins only).
func (s *Service) APIKeys(ctx context.Context, actor partnerkit.Actor) ([]APIKey, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, partnerkit.WithOp("partners.APIKeys", err)
	}
	ks, err := s.store.ListAPIKeys(ctx, actor.AccountID)
	if err != nil {
		return nil, partnerkit.WithOp("partners.APIKeys", err)
	}
	for i := range ks { // a use noted but not yet written shows already
		if at, ok := s.touches.pendingKey(ks[i].ID); ok && (ks[i].LastUsedAt == nil || at.After(*ks[i].LastUsedAt)) {
			ks[i].LastUsedAt = &at
		}
	}
	return ks, partnerkit.WithOp("partners.APIKeys", s.fillCreators(ctx, ks))
}

// fillCreators sets the Creator of keys made by users (keys made by other
// keys keep only CreatedBy).
func (s *Service) fillCreators(ctx context.Context, ks []APIKey) error {
	users := map[string]*User{}
	for i := range ks {
		id := ks[i].CreatedBy
		if !strings.HasPrefix(id, partnerkit.PrefixUser+"-") {
			continue
		}
		u, seen := users[id]
		if !seen {
			var err error
			if u, err = s.store.GetUser(ctx, id); err != nil && partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
				return err
			}
			users[id] = u
		}
		if u != nil {
			ks[i].Creator = &KeyCreator{UserID: u.ID, Email: u.Email, FullName: u.FullName}
		}
	}
	return nil
}

// RevokeAPIKey revokes a key of the actor's account (admins only).
func (s *Service) RevokeAPIKey(ctx context.Context, actor partnerkit.Actor, id string) (*APIKey, error) {
	const op = "partners.RevokeAPIKey"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *APIKey
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		k, err := s.store.GetAPIKey(ctx, id)
		if err != nil || k.AccountID != actor.AccountID {
			return partnerkit.NotFound("API key", id)
		}
		if k.RevokedAt != nil {
			return partnerkit.Errorf(partnerkit.CodeConflict, "API key %s is already revoked", id)
		}
		before := *k
		now := s.clock.Now()
		k.RevokedAt = &now
		if err := s.store.UpdateAPIKey(ctx, k); err != nil {
			return err
		}
		out = k
		return s.audit.Record(ctx, actor, actor.AccountID, "api_key.revoked", "api_key", k.ID, &before, k)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// APIKeyActor returns the actor of an API key and records its use. An
// unknown, revoked or expired key is unauthorized.
func (s *Service) APIKeyActor(ctx context.Context, token string) (partnerkit.Actor, error) {
	const op = "partners.APIKeyActor"
	if err := partnerkit.CheckID("token", token); err != nil {
		return partnerkit.Actor{}, partnerkit.WithOp(op, err)
	}
	bad := partnerkit.Errorf(partnerkit.CodeUnauthorized, "the API key is unknown, revoked or expired")
	k, err := s.store.GetAPIKeyView(ctx, HashToken(token))
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return partnerkit.Actor{}, partnerkit.WithOp(op, bad)
	}
	if err != nil {
		return partnerkit.Actor{}, partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	if k.RevokedAt != nil || k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
		return partnerkit.Actor{}, partnerkit.WithOp(op, bad)
	}
	if k.AccountStatus == StatusSuspended {
		return partnerkit.Actor{}, partnerkit.WithOp(op, s.checkNotSuspended(ctx, k.AccountID))
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= touchEvery {
		s.touches.apiKey(s, k.ID, now) // written in a batch: a request writes nothing
	}
	return partnerkit.Actor{AccountID: k.AccountID, APIKeyID: k.ID, Role: k.Role}, nil
}

// ChangeRole changes a member's role in the actor's account (admins only);
// the account always keeps at least one admin.
func (s *Service) ChangeRole(ctx context.Context, actor partnerkit.Actor, userID string, role partnerkit.Role) (*Membership, error) {
	const op = "partners.ChangeRole"
	if err := validate.All(partnerkit.CheckID("user_id", userID), checkRole(role)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Membership
	err := s.teamChange(ctx, actor, userID, func(ctx context.Context, m *Membership, admins int) error {
		if m.Role == partnerkit.RoleAdmin && role != partnerkit.RoleAdmin && admins == 1 {
			return partnerkit.Errorf(partnerkit.CodeConflict, "the account must keep at least one admin")
		}
		before := *m
		m.Role = role
		if err := s.store.UpdateMembership(ctx, m); err != nil {
			return err
		}
		out = m
		return s.audit.Record(ctx, actor, actor.AccountID, "membership.role_changed", "user", userID, &before, m)
	})
	return out, partnerkit.WithOp(op, err)
}

// RemoveMember removes a member from the actor's account (admins only);
// the account always keeps at least one admin.
func (s *Service) RemoveMember(ctx context.Context, actor partnerkit.Actor, userID string) error {
	if err := partnerkit.CheckID("user_id", userID); err != nil {
		return partnerkit.WithOp("partners.RemoveMember", err)
	}
	err := s.teamChange(ctx, actor, userID, func(ctx context.Context, m *Membership, admins int) error {
		if m.Role == partnerkit.RoleAdmin && admins == 1 {
			return partnerkit.Errorf(partnerkit.CodeConflict, "the account must keep at least one admin")
		}
		if err := s.store.DeleteMembership(ctx, userID, actor.AccountID); err != nil {
			return err
		}
		if err := s.revokeKeysOf(ctx, actor, userID); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, actor.AccountID, "membership.removed", "user", userID, m, nil)
	})
	return partnerkit.WithOp("partners.RemoveMember", err)
}

// revokeKeysOf revokes the live API keys that a removed member created in
// the actor's account: a key dies with its creator's membership, so a
// person who leaves a team keeps no access through a key they made.
func (s *Service) revokeKeysOf(ctx context.Context, actor partnerkit.Actor, userID string) error {
	keys, err := s.store.ListAPIKeys(ctx, actor.AccountID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, k := range keys {
		if k.CreatedBy != userID || k.RevokedAt != nil {
			continue
		}
		before := k
		k.RevokedAt = &now
		if err := s.store.UpdateAPIKey(ctx, &k); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, actor, actor.AccountID, "api_key.revoked", "api_key", k.ID, &before,
			map[string]any{"key": k, "reason": "its creator was removed from the account"}); err != nil {
			return err
		}
	}
	return nil
}

// teamChange finds a member of the actor's account and counts its admins,
// with the account locked.
func (s *Service) teamChange(ctx context.Context, actor partnerkit.Actor, userID string,
	change func(ctx context.Context, m *Membership, admins int) error) error {
	if err := actor.RequireAccount(); err != nil {
		return err
	}
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		// Hold the account so concurrent team changes count the admins
		// one after another (see Store: an account keeps an admin).
		if _, err := s.store.LockAccount(ctx, actor.AccountID); err != nil {
			return err
		}
		team, err := s.store.AccountMembers(ctx, actor.AccountID)
		if err != nil {
			return err
		}
		admins := 0
		var target *Membership
		for i := range team {
			if team[i].Role == partnerkit.RoleAdmin {
				admins++
			}
			if team[i].UserID == userID {
				target = &team[i].Membership
			}
		}
		if target == nil {
			return partnerkit.NotFound("team member", userID)
		}
		return change(ctx, target, admins)
	})
}
