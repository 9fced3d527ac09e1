package partners

import (
	"context"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners/rules"
)

// TeamInvitationTTL is how long a team invitation link works.
const TeamInvitationTTL = 7 * 24 * time.Hour

// PrefixTeamInvitation is the ID prefix of team invitations.
const PrefixTeamInvitation = "TI"

// TeamInvitation invites a person, by email, to join an account with a
// role. Only the token's hash is stored; the link works once.
type TeamInvitation struct {
	ID        string          `json:"id"`
	TokenHash string          `json:"-"`
	AccountID string          `json:"account_id"`
	Email     string          `json:"email"`
	Role      partnerkit.Role `json:"role"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	ExpiresAt time.Time       `json:"expires_at"`
	UsedAt    *time.Time      `json:"used_at,omitempty"`
	// SentAt is when the link was last sent: its creation, or its last
	// resend (which gave it a new token and expiry).
	SentAt time.Time `json:"sent_at"`
	// RevokedAt is set when an admin withdrew it.
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// TeamInviteInput invites a member.
type TeamInviteInput struct {
	Email string          `json:"email" validate:"required,email,max=254"`
	Role  partnerkit.Role `json:"role"`
}

// InviteMember creates a team invitation to the actor's account (admins
// only) and returns it with its token, shown only here; the link path is
// "/join/<token>".
func (s *Service) InviteMember(ctx context.Context, actor partnerkit.Actor, in TeamInviteInput) (*TeamInvitation, string, error) {
	const op = "partners.InviteMember"
	if err := actor.RequireAccount(); err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	in.Email = NormalizeEmail(in.Email)
	if err := validate.All(validate.Struct(in), checkRole(in.Role)); err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	token, hash := newToken("")
	now := s.clock.Now()
	inv := &TeamInvitation{ID: partnerkit.NewID(PrefixTeamInvitation), TokenHash: hash, AccountID: actor.AccountID,
		Email: in.Email, Role: in.Role, CreatedBy: actor.Principal(), CreatedAt: now, ExpiresAt: now.Add(TeamInvitationTTL), SentAt: now}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateTeamInvitation(ctx, inv); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, actor, actor.AccountID, "team_invitation.created", "partner", actor.AccountID, nil, inv); err != nil {
			return err
		}
		return s.mailTeamInvitation(ctx, actor, inv, token)
	})
	if err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	return inv, token, nil
}

// TeamInvitationReview is what the holder of a team invitation link sees.
type TeamInvitationReview struct {
	AccountName string          `json:"account_name"`
	Email       string          `json:"email"`
	Role        partnerkit.Role `json:"role"`
	// Registered says the email has a login already: accepting then asks
	// for that login's password instead of creating a user.
	Registered bool      `json:"registered"`
	ExpiresAt  time.Time `json:"expires_at"`
}

func (s *Service) openTeamInvitation(ctx context.Context, token string) (*TeamInvitation, error) {
	inv, err := s.store.GetTeamInvitationByHash(ctx, HashToken(token))
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil, partnerkit.Errorf(partnerkit.CodeNotFound, "this invitation link is unknown: check that it was copied whole")
	}
	if err != nil {
		return nil, err
	}
	if inv.UsedAt != nil {
		return nil, partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has already been used: sign in instead")
	}
	if inv.RevokedAt != nil {
		return nil, partnerkit.Errorf(partnerkit.CodeGone, "this invitation was withdrawn: ask the account's admin for a new one")
	}
	if !s.clock.Now().Before(inv.ExpiresAt) {
		return nil, partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has expired: ask for a new one")
	}
	return inv, nil
}

// ReviewTeamInvitation returns what a team invitation link shows.
func (s *Service) ReviewTeamInvitation(ctx context.Context, token string) (*TeamInvitationReview, error) {
	const op = "partners.ReviewTeamInvitation"
	if err := partnerkit.CheckID("token", token); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	inv, err := s.openTeamInvitation(ctx, token)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	acc, err := s.store.GetAccount(ctx, inv.AccountID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	_, err = s.store.GetUserByEmail(ctx, inv.Email)
	return &TeamInvitationReview{AccountName: acc.Name, Email: inv.Email, Role: inv.Role, Registered: err == nil,
		ExpiresAt: inv.ExpiresAt}, nil
}

// AcceptTeamInvitationInput completes a team invitation.
type AcceptTeamInvitationInput struct {
	// FullName names a new user (ignored for a registered email;
	// rules.FullNameProblem).
	FullName string `json:"full_name"`
	// Password is a new user's password, or the registered user's own.
	Password string `json:"password"`
}

// AcceptTeamInvitation uses a team invitation link once: it creates the
// user (or, for a registered email, checks that user's password) and makes
// them a member with the invited role. address is the caller's network
// address: a registered login's password check is throttled like a
// sign-in (see PairAttempts), before and outside the transaction, so a
// wrong password counts.
func (s *Service) AcceptTeamInvitation(ctx context.Context, token string, in AcceptTeamInvitationInput, address string) (*User, error) {
	const op = "partners.AcceptTeamInvitation"
	if err := validate.All(partnerkit.CheckID("token", token), validate.Text("", in)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	inv, err := s.openTeamInvitation(ctx, token)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	registered, err := s.store.GetUserByEmail(ctx, inv.Email)
	switch {
	case err == nil:
		bad := partnerkit.FieldError("password", "is not this login's password")
		if err := s.checkPassword(ctx, inv.Email, address, func() bool {
			return s.hasher.Verify(registered.PasswordHash, in.Password)
		}, bad); err != nil {
			return nil, partnerkit.WithOp(op, err)
		}
	case partnerkit.ErrorCode(err) == partnerkit.CodeNotFound:
		registered = nil
	default:
		return nil, partnerkit.WithOp(op, err)
	}
	var user *User
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.openTeamInvitation(ctx, token)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		// Claim the link first: of concurrent accepts exactly one gets
		// past here, the others are gone (see Store: single use).
		if err := s.store.UseTeamInvitation(ctx, inv.ID, now); err != nil {
			return err
		}
		existing, err := s.store.GetUserByEmail(ctx, inv.Email)
		switch {
		case err == nil && registered == nil:
			return partnerkit.Errorf(partnerkit.CodeConflict, "%s was registered meanwhile: open the link again", inv.Email)
		case err == nil:
			user = existing
			if err := s.store.CreateMembership(ctx, &Membership{UserID: user.ID, AccountID: inv.AccountID, Role: inv.Role, CreatedAt: now}); err != nil {
				return err
			}
		case partnerkit.ErrorCode(err) == partnerkit.CodeNotFound:
			in.FullName = strings.TrimSpace(in.FullName)
			var nameErr error
			if p := rules.FullNameProblem(in.FullName); p != "" {
				nameErr = partnerkit.FieldError("full_name", p)
			}
			if err := validate.All(validate.Struct(in), nameErr, CheckPasswordPolicy(in.Password)); err != nil {
				return err
			}
			if user, err = s.createUserAndMembership(ctx, inv.AccountID, inv.Email, in.FullName, in.Password, inv.Role); err != nil {
				return err
			}
		default:
			return err
		}
		actor := partnerkit.Actor{AccountID: inv.AccountID, UserID: user.ID, Role: inv.Role}
		return s.audit.Record(ctx, actor, inv.AccountID, "membership.created", "user", user.ID, nil,
			map[string]any{"user_id": user.ID, "account_id": inv.AccountID, "role": inv.Role, "invitation": inv.ID})
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return user, nil
}

// TeamAddition is the answer to adding a member by email: the same for an
// email that is new (the user is created) and one that already has a login
// (an invitation is sent instead), so that adding members reveals nothing
// about other tenants' logins.
type TeamAddition struct {
	Email    string          `json:"email"`
	FullName string          `json:"full_name"`
	Role     partnerkit.Role `json:"role"`
}

// AddTeamMember adds a person to the actor's account (admins only), the
// way an admin console does: a new email becomes a user with the given
// password and role; an email that already has a login is not revealed —
// it gets a team invitation to accept with its own password (mailed when
// mail is configured), and the answer is exactly the same. Input is
// checked the same way in both cases. Returns conflict on "email" only
// when the person is already a member of the actor's own account.
func (s *Service) AddTeamMember(ctx context.Context, actor partnerkit.Actor, in CreateUserInput) (*TeamAddition, error) {
	const op = "partners.AddTeamMember"
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Email = NormalizeEmail(in.Email)
	in.FullName = strings.TrimSpace(in.FullName)
	in.AccountID = actor.AccountID
	if err := validate.All(validate.Struct(in), checkRole(in.Role), CheckPasswordPolicy(in.Password)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	out := &TeamAddition{Email: in.Email, FullName: in.FullName, Role: in.Role}
	existing, err := s.store.GetUserByEmail(ctx, in.Email)
	switch {
	case partnerkit.ErrorCode(err) == partnerkit.CodeNotFound:
		if _, err := s.CreateUser(ctx, actor, in); err != nil {
			return nil, err
		}
		return out, nil
	case err != nil:
		return nil, partnerkit.WithOp(op, err)
	}
	ms, err := s.store.UserMemberships(ctx, existing.ID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	for _, m := range ms {
		if m.AccountID == actor.AccountID {
			return nil, partnerkit.WithOp(op, partnerkit.ConflictField("email", "is already a member of this account"))
		}
	}
	// Spend the time a new user's password hash takes, so the two answers
	// cannot be told apart by their timing either.
	if _, err := s.hashPassword(ctx, in.Password); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if _, _, err := s.InviteMember(ctx, actor, TeamInviteInput{Email: in.Email, Role: in.Role}); err != nil {
		return nil, err
	}
	return out, nil
}
