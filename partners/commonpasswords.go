package partners

import (
	_ "embed"
	"strings"
	"sync"

	"github.com/partnerkit/partnerkit/partners/rules"
)

// commonPasswords is the list new passwords are checked against, one a
// line in rank order: the 10,000 highest-ranked entries of zxcvbn's
// "passwords" frequency list (Dropbox's zxcvbn password strength
// estimator, built from Mark Burnett's 10 million passwords via Xato; all
// lower case), as Debian ships it in libdata-password-zxcvbn-perl 1.1.2-1
// (Data::Password::zxcvbn::RankedDictionaries::Common). Reproduce it
// offline with
//
//	apt-get download libdata-password-zxcvbn-perl && dpkg-deb -x libdata-password-zxcvbn-perl_*.deb x
//	perl -Ix/usr/share/perl5 -MData::Password::zxcvbn::RankedDictionaries::Common -e \
//	  '$d = $Data::Password::zxcvbn::RankedDictionaries::Common::ranked_dictionaries{passwords};
//	   print "$_\n" for (sort { $d->{$a} <=> $d->{$b} } keys %$d)[0..9999]' > commonpasswords.txt
//
// (SHA-256 e8c93175cf71528a1a5347c934dafed77c5e01d005679838b7b237587ee12ada).
//
//go:embed commonpasswords.txt
var commonPasswords string

// commonSet is the list as a set, built at the first check.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for _, pw := range strings.Split(commonPasswords, "\n") {
		if pw = strings.TrimSpace(pw); pw != "" {
			set[pw] = struct{}{}
		}
	}
	return set
})

// IsCommonPassword reports whether pw, ignoring case, is on the list of
// the 10,000 most common passwords (see commonPasswords).
func IsCommonPassword(pw string) bool {
	_, ok := commonSet()[strings.ToLower(pw)]
	return ok
}

// checkNewPassword checks a password being set — at sign-up, activation,
// joining a team, creating a user, a reset or a change — against the
// policy and the common list, naming field.
func checkNewPassword(field, pw string) error {
	return rules.CheckPassword(field, pw, IsCommonPassword)
}
