//go:build !js

package api

import (
	"net/http"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners"
)

// MembershipView is a membership with the account's name, for the
// account switcher.
type MembershipView struct {
	AccountID   string               `json:"account_id"`
	AccountName string               `json:"account_name"`
	AccountType partners.AccountType `json:"account_type"`
	// AccountStatus is suspended when its members cannot act there.
	AccountStatus partners.Status `json:"account_status"`
	Role          partnerkit.Role `json:"role"`
}

// Me is who the caller is.
type Me struct {
	// User is the signed-in user; nil for an API key.
	User *partners.User `json:"user,omitempty"`
	// APIKeyID is the key used, for an API key.
	APIKeyID string `json:"api_key_id,omitempty"`
	// AccountID and Role are the account acted in now and the role there.
	AccountID string          `json:"account_id"`
	Role      partnerkit.Role `json:"role"`
	// Memberships lists every account the user may switch to.
	Memberships []MembershipView `json:"memberships"`
	// TwoFactorEnrolmentRequired, in a sign-in's answer, says the
	// session's account requires two-factor sign-in and the user has none:
	// the session may only enrol (POST /me/two-factor) until confirmed.
	TwoFactorEnrolmentRequired bool `json:"two_factor_enrolment_required,omitempty"`
}

func (a *API) authRoutes() {
	a.public(http.MethodPost, "/session", a.signIn)
	a.public(http.MethodDelete, "/session", a.signOut)
	// A member of a suspended account still learns who they are and
	// switches to another of their accounts; everything else is forbidden.
	a.handleMember(http.MethodGet, "/me", a.me)
	a.handleMember(http.MethodPut, "/me/account", a.switchAccount)
	a.handle(http.MethodGet, "/team", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		ms, err := a.cfg.Partners.Members(r.Context(), actor, actor.AccountID)
		if err != nil {
			return err
		}
		return writeWhole(w, r, ms, memberOrder)
	})
	a.handle(http.MethodPost, "/team", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.CreateUserInput
		if err := decode(r, &in); err != nil {
			return err
		}
		// The answer is the same for a new email and one that has a login
		// already (which gets an invitation instead): adding members
		// reveals no other tenant's users.
		added, err := a.cfg.Partners.AddTeamMember(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, added)
	})
	a.handle(http.MethodPost, "/team/invitations", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.TeamInviteInput
		if err := decode(r, &in); err != nil {
			return err
		}
		inv, token, err := a.cfg.Partners.InviteMember(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, CreatedTeamInvitation{TeamInvitation: *inv, Token: token, Link: "/join/" + token})
	})
	a.public(http.MethodGet, "/team-invitations/{token}", func(w http.ResponseWriter, r *http.Request) error {
		rev, err := a.cfg.Partners.ReviewTeamInvitation(r.Context(), r.PathValue("token"))
		return reply(w, rev, err)
	})
	a.public(http.MethodPost, "/team-invitations/{token}/accept", func(w http.ResponseWriter, r *http.Request) error {
		var in partners.AcceptTeamInvitationInput
		if err := decode(r, &in); err != nil {
			return err
		}
		u, err := a.cfg.Partners.AcceptTeamInvitation(r.Context(), r.PathValue("token"), in, a.clientAddress(r))
		if err != nil {
			return err
		}
		return created(w, u)
	})
	a.handle(http.MethodPatch, "/team/{user_id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in struct {
			Role partnerkit.Role `json:"role"`
		}
		if err := decode(r, &in); err != nil {
			return err
		}
		m, err := a.cfg.Partners.ChangeRole(r.Context(), actor, r.PathValue("user_id"), in.Role)
		return reply(w, m, err)
	})
	a.handle(http.MethodDelete, "/team/{user_id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		if err := a.cfg.Partners.RemoveMember(r.Context(), actor, r.PathValue("user_id")); err != nil {
			return err
		}
		return noContent(w)
	})
	a.handle(http.MethodGet, "/api-keys", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		ks, err := a.cfg.Partners.APIKeys(r.Context(), actor)
		if err != nil {
			return err
		}
		return writeWhole(w, r, ks, apiKeyOrder)
	})
	a.handle(http.MethodPost, "/api-keys", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.APIKeyInput
		if err := decode(r, &in); err != nil {
			return err
		}
		k, key, err := a.cfg.Partners.CreateAPIKey(r.Context(), actor, in)
		if err != nil {
			return err
		}
		return created(w, CreatedAPIKey{APIKey: *k, Key: key})
	})
	a.handle(http.MethodDelete, "/api-keys/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		k, err := a.cfg.Partners.RevokeAPIKey(r.Context(), actor, r.PathValue("id"))
		return reply(w, k, err)
	})
	a.handle(http.MethodGet, "/audit", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		page, sort, err := listParams(r, partners.AuditOrder)
		entity := r.URL.Query().Get("entity_id")
		var entityErr error
		if entity == "" {
			entityErr = partnerkit.FieldError("entity_id", "is required")
		}
		if err := validate.All(entityErr, err); err != nil {
			return err
		}
		list, err := a.cfg.Partners.Audit(r.Context(), actor, partners.AuditFilter{EntityID: entity, Sort: sort, Page: page})
		if err != nil {
			return err
		}
		return writeList(w, page, list)
	})
}

// CreatedAPIKey is a new API key with the key itself, shown only here.
type CreatedAPIKey struct {
	partners.APIKey
	// Key is the secret to send as "Authorization: Bearer <key>".
	Key string `json:"key"`
}

// CreatedTeamInvitation is a new team invitation with its token and link,
// shown only here.
type CreatedTeamInvitation struct {
	partners.TeamInvitation
	Token string `json:"token"`
	// Link is the site-relative path to send to the invited person.
	Link string `json:"link"`
}

// SignInInput is the body of POST /session.
type SignInInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (a *API) signIn(w http.ResponseWriter, r *http.Request) error {
	// Login CSRF: another site must not sign a visitor's browser into an
	// account of its choosing.
	if err := a.checkSameOrigin(r); err != nil {
		return err
	}
	var in SignInInput
	if err := decode(r, &in); err != nil {
		return err
	}
	// A login with two-factor sign-in gets a challenge (202) instead of a
	// session (account_security.go).
	res, err := a.cfg.Partners.BeginSignIn(r.Context(), partners.SignInInput{Email: in.Email, Password: in.Password,
		Address: a.clientAddress(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	return a.signedIn(w, r, res)
}

func (a *API) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := a.checkSameOrigin(r); err != nil {
			return err
		}
		if err := a.cfg.Partners.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	a.setSessionCookie(w, r, "", time.Unix(0, 0))
	return noContent(w)
}

func (a *API) me(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
	me, err := a.meOf(r, actor)
	return reply(w, me, err)
}

func (a *API) meOf(r *http.Request, actor partnerkit.Actor) (*Me, error) {
	ctx := r.Context()
	me := &Me{APIKeyID: actor.APIKeyID, AccountID: actor.AccountID, Role: actor.Role, Memberships: []MembershipView{}}
	svc := a.cfg.Partners
	memberships := []partners.Membership{{AccountID: actor.AccountID, Role: actor.Role}}
	if actor.UserID != "" {
		u, err := svc.User(ctx, actor.UserID)
		if err != nil {
			return nil, err
		}
		me.User = u
		if memberships, err = svc.Memberships(ctx, actor.UserID); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(memberships))
	for i, m := range memberships {
		ids[i] = m.AccountID
	}
	accounts, err := svc.AccountsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]partners.Account{}
	for _, acc := range accounts {
		byID[acc.ID] = acc
	}
	for _, m := range memberships {
		acc := byID[m.AccountID]
		me.Memberships = append(me.Memberships, MembershipView{AccountID: m.AccountID, AccountName: acc.Name,
			AccountType: acc.Type, AccountStatus: acc.Status, Role: m.Role})
	}
	return me, nil
}

func (a *API) switchAccount(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
	var in struct {
		AccountID string `json:"account_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || actor.UserID == "" {
		return partnerkit.Errorf(partnerkit.CodeForbidden, "only a signed-in user switches accounts; an API key acts in one account")
	}
	next, err := a.cfg.Partners.SwitchAccount(r.Context(), c.Value, in.AccountID)
	if err != nil {
		return err
	}
	me, err := a.meOf(r, next)
	return reply(w, me, err)
}
