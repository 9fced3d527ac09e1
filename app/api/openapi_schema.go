//go:build !js

package api

import (
	"errors"
	"path"
	"reflect"
	"strings"
	"unicode"

	"github.com/partnerkit/partnerkit/capacity"
)

// schemaName names a Go type's component schema after its package and
// itself — AgreementsCreateInput and ContractsCreateInput, CapacityReport,
// PartnerkitAuditEvent, APIErrorBody — so a name never depends on which
// other types the document holds. A type whose name starts with its
// package's is not prefixed twice (capacity.CapacityContract is
// CapacityContract); the brackets of generic types are dropped. A type of
// a domain's rules package is named after the domain (partners/rules.Status
// is PartnersStatus).
func schemaName(t reflect.Type) string {
	pkg := path.Base(t.PkgPath())
	if pkg == "rules" {
		pkg = path.Base(path.Dir(t.PkgPath()))
	}
	prefix := strings.ToUpper(pkg[:1]) + pkg[1:]
	if pkg == "api" {
		prefix = "API"
	}
	name := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, t.Name())
	if strings.HasPrefix(name, prefix) {
		return name
	}
	return prefix + name
}

// err reports the collisions of schema names, if any.
func (g *schemaGen) err() error {
	if len(g.collisions) == 0 {
		return nil
	}
	return errors.New("openapi: Go types share a schema name: " + strings.Join(g.collisions, "; "))
}

// describe adds a description to a property's schema (beside a $ref, which
// takes no siblings in OpenAPI 3.0, through allOf).
func describe(s map[string]any, description string) map[string]any {
	switch {
	case description == "":
		return s
	case s["$ref"] != nil:
		return map[string]any{"allOf": []any{s}, "description": description}
	}
	s["description"] = description
	return s
}

// Descriptions of the figures whose meaning a name alone does not carry.
var (
	allocationExcessTB  = "TB-months of allocation excess. " + capacity.AllocationExcessDefinition
	allocationExcessFee = "Allocation excess fee, in the contract's currency. " + capacity.AllocationExcessDefinition
	reservationExcessTB = "TB-months of reservation excess (contract reports only). " +
		capacity.ReservationExcessDefinition
	reservationExcessFee = "Reservation excess fee, in the contract's currency (contract reports only). " +
		capacity.ReservationExcessDefinition
)

// fieldDescriptions describes properties by Go type and JSON name.
var fieldDescriptions = map[reflect.Type]map[string]string{
	reflect.TypeOf(capacity.ReportRow{}): {
		"allocated_tb": "The partner's allocation (a partner report), or its partners' allocations added up " +
			"(a contract report), on the period's last day with usage.",
		"reserved_tb":                  "The contract's reservation (contract reports only).",
		"usage_fee":                    "The charge for usage (pay-per-use) or for the allocations (reserved).",
		"allocation_excess_tb_months":  "The period's " + allocationExcessTB,
		"allocation_excess_fee":        "The period's " + allocationExcessFee,
		"reservation_excess_tb_months": "The period's " + reservationExcessTB,
		"reservation_excess_fee":       "The period's " + reservationExcessFee,
	},
	reflect.TypeOf(capacity.Report{}): {
		"total_allocation_excess_fee":  "The rows' allocation excess fees added up. " + capacity.AllocationExcessDefinition,
		"total_reservation_excess_fee": "The rows' reservation excess fees added up (contract reports only). " + capacity.ReservationExcessDefinition,
	},
	reflect.TypeOf(capacity.Overview{}): {
		"month":                        "The month the excess figures cover, from its first day to today (UTC, 2006-01).",
		"allocation_excess_tb_months":  "This month's " + allocationExcessTB,
		"allocation_excess_fee":        "This month's " + allocationExcessFee,
		"reservation_excess_tb_months": "This month's TB-months of reservation excess. " + capacity.ReservationExcessDefinition,
		"reservation_excess_fee":       "This month's reservation excess fee, in the contract's currency. " + capacity.ReservationExcessDefinition,
	},
}
