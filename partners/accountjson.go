package partners

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendAccountJSON appends what json.Marshal(a) writes, byte for byte
// (TestAccountJSONMatchesEncodingJSON), without reflection: the directory
// page encodes 50 accounts per request, and encoding/json's reflection was
// a sixth of the page's CPU under load.
func appendAccountJSON(b []byte, a *Account) ([]byte, error) {
	if !jsonTime(a.CreatedAt) || !jsonTime(a.UpdatedAt) {
		// A year encoding/json refuses: let it say so.
		out, err := json.Marshal(a)
		return append(b, out...), err
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, a.ID)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, string(a.Type))
	b = append(b, `,"name":`...)
	b = appendJSONString(b, a.Name)
	if a.LegalName != "" {
		b = append(b, `,"legal_name":`...)
		b = appendJSONString(b, a.LegalName)
	}
	if a.ExternalID != "" {
		b = append(b, `,"external_id":`...)
		b = appendJSONString(b, a.ExternalID)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(a.Status))
	if a.ManagerID != "" {
		b = append(b, `,"manager_id":`...)
		b = appendJSONString(b, a.ManagerID)
	}
	b = append(b, `,"business_contact":`...)
	b = appendContactJSON(b, &a.BusinessContact)
	b = append(b, `,"technical_contact":`...)
	b = appendContactJSON(b, &a.TechnicalContact)
	b = append(b, `,"created_at":"`...)
	b = append(a.CreatedAt.AppendFormat(b, time.RFC3339Nano), '"')
	b = append(b, `,"updated_at":"`...)
	b = append(a.UpdatedAt.AppendFormat(b, time.RFC3339Nano), '"')
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(a.Version), 10)
	return append(b, '}'), nil
}

// jsonTime reports whether time.Time's MarshalJSON accepts t.
func jsonTime(t time.Time) bool { y := t.Year(); return y >= 0 && y <= 9999 }

func appendContactJSON(b []byte, c *Contact) []byte {
	b = append(b, `{"name":`...)
	b = appendJSONString(b, c.Name)
	b = append(b, `,"email":`...)
	b = appendJSONString(b, c.Email)
	b = append(b, `,"phone":`...)
	b = appendJSONString(b, c.Phone)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes it: HTML
// characters (<, >, &) and U+2028, U+2029 escaped, invalid UTF-8 replaced
// by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
