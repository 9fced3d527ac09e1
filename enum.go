package partnerkit

// Enumerations: every closed set of values the API carries (roles, error
// codes, the domains' types and statuses) is a named string type with an
// Enum method listing its values, once, beside the type: the services
// validate with the same list and the OpenAPI document declares it, so
// neither can drift from the other.

// Enum is a closed set of string values.
type Enum interface {
	// Enum lists the values, in the order forms offer them.
	Enum() []string
}

// EnumStrings converts a list of values of a string type to strings.
func EnumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Enum lists the roles, strongest first.
func (r Role) Enum() []string { return EnumStrings(Roles()) }

// Enum lists the error codes in declaration order.
func (c Code) Enum() []string { return EnumStrings(Codes()) }
