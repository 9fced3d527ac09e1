package partners

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners/rules"
)

// MaxPartnerBatch is the most partners one CreatePartners call takes.
const MaxPartnerBatch = 1000

// CreatePartners creates a batch of partners managed by the actor's
// account, all or nothing, with one statement for the accounts and one for
// their audit events: the bulk path for loading a directory (the API's
// POST /partners/batch). Every partner is checked as CreatePartner checks
// one, and errors name the row: invalid on "partners[12].name", conflict
// on "partners[3].external_id" when the manager already uses it (or the
// batch uses it twice). Returns the partners in input order.
func (s *Service) CreatePartners(ctx context.Context, actor partnerkit.Actor, ins []CreatePartnerInput) ([]*Account, error) {
	const op = "partners.CreatePartners"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if len(ins) == 0 || len(ins) > MaxPartnerBatch {
		return nil, partnerkit.WithOp(op, partnerkit.FieldError("partners", fmt.Sprintf("must hold 1 to %d partners", MaxPartnerBatch)))
	}
	var errs []error
	byExternal := map[string]int{}
	for i := range ins {
		in, err := checkNewPartner(ins[i])
		ins[i] = in
		row := fmt.Sprintf("partners[%d]", i)
		errs = append(errs, validate.Prefix(row, err))
		if in.ExternalID == "" {
			continue
		}
		if first, dup := byExternal[in.ExternalID]; dup {
			errs = append(errs, partnerkit.FieldError(row+".external_id", fmt.Sprintf("repeats partners[%d].external_id", first)))
		}
		byExternal[in.ExternalID] = i
	}
	if err := validate.All(errs...); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	out := make([]*Account, len(ins))
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		manager, err := s.store.GetAccount(ctx, actor.AccountID)
		if err != nil {
			return err
		}
		var typeErrs []error
		for i, in := range ins {
			if !manager.Type.CanManage(in.Type) {
				typeErrs = append(typeErrs, partnerkit.FieldError(fmt.Sprintf("partners[%d].type", i), managedTypesProblem(manager.Type)))
			}
		}
		if err := validate.All(typeErrs...); err != nil {
			return err
		}
		taken, err := s.store.ExternalIDsTaken(ctx, manager.ID, mapsKeys(byExternal))
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			i := byExternal[taken[0]]
			return partnerkit.ConflictField(fmt.Sprintf("partners[%d].external_id", i), "is already used by another partner of this manager")
		}
		now := s.clock.Now()
		events := make([]*partnerkit.AuditEvent, len(ins))
		for i, in := range ins {
			out[i] = newPartner(manager, in, now)
			events[i] = s.audit.Event(actor, out[i].ID, "partner.created", "partner", out[i].ID, nil, out[i])
		}
		if err := s.store.CreateAccounts(ctx, out); err != nil {
			return err
		}
		return s.auditLog.AppendAudits(ctx, events)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

func mapsKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// checkNewPartner normalizes a new partner's input and checks it, as
// CreatePartner and CreatePartners do: an invalid error names each field.
func checkNewPartner(in CreatePartnerInput) (CreatePartnerInput, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	if in.Status == "" {
		in.Status = StatusActive
	}
	return in, validate.All(validate.Struct(in), rules.CheckNewPartner("", in.Name, in.ExternalID),
		checkType("type", in.Type), checkNewStatus(in.Status))
}

// newPartner is the account of a new partner of manager.
func newPartner(manager *Account, in CreatePartnerInput, now time.Time) *Account {
	id := partnerkit.NewID(partnerkit.PrefixAccount)
	return &Account{
		ID: id, Type: in.Type, Name: in.Name, ExternalID: in.ExternalID, Status: in.Status,
		ManagerID: manager.ID, Path: manager.Path + id + "/",
		BusinessContact: normalizeContact(in.BusinessContact), TechnicalContact: normalizeContact(in.TechnicalContact),
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
}
