package rules

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/partnerkit/partnerkit"
)

// CommonPasswordProblem is what a new password on the list of the most
// common passwords is told.
const CommonPasswordProblem = "is one of the 10,000 most common passwords, the first that attackers try: choose another"

// PasswordProblem returns what is wrong with a new password, or "": the
// policy — MinPasswordLength to MaxPasswordLength characters and at least
// 3 of the 4 classes lower case, upper case, digit, symbol — and then,
// when common is given, the list of common passwords (common reports
// whether a password is on it).
//
// The PWA passes no list (the server's list of 10,000 passwords would add
// about 100 KB to the WebAssembly): it checks the policy as the form is
// filled in, and the server, which passes partners.IsCommonPassword,
// answers the list's problem with the same words.
func PasswordProblem(pw string, common func(string) bool) string {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return fmt.Sprintf("must be at least %d characters", MinPasswordLength)
	}
	if n > MaxPasswordLength {
		return fmt.Sprintf("must be at most %d characters", MaxPasswordLength)
	}
	var lower, upper, digit, symbol int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			symbol = 1
		}
	}
	if lower+upper+digit+symbol < 3 {
		return "must mix at least 3 of: lower case, upper case, digits, symbols"
	}
	if common != nil && common(pw) {
		return CommonPasswordProblem
	}
	return ""
}

// CheckPassword returns an invalid error naming field when PasswordProblem
// finds a problem, else nil.
func CheckPassword(field, pw string, common func(string) bool) error {
	if p := PasswordProblem(pw, common); p != "" {
		return partnerkit.FieldError(field, p)
	}
	return nil
}
