package partnerkit_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
)

// eventTable is the README's table of domain events, made from
// partnerkit.EventTypes.
func eventTable() string {
	var b strings.Builder
	b.WriteString("| event type | about | when |\n|---|---|---|\n")
	for _, t := range partnerkit.EventTypes {
		b.WriteString("| `" + t.Name + "` | " + t.Entity + " | " + t.Description + " |\n")
	}
	return b.String()
}

// TestReadmeListsEveryEventType: the README's table of events is exactly
// partnerkit.EventTypes (PARTNERKIT_WRITE_README=1 rewrites it).
func TestReadmeListsEveryEventType(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)<!-- event types begin -->\n(.*?)<!-- event types end -->`)
	m := block.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no <!-- event types begin --> ... <!-- event types end --> block")
	}
	want := eventTable()
	if string(m[1]) == want {
		return
	}
	if os.Getenv("PARTNERKIT_WRITE_README") == "1" {
		out := block.ReplaceAll(readme, []byte("<!-- event types begin -->\n"+want+"<!-- event types end -->"))
		if err := os.WriteFile("README.md", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("README's event table differs from partnerkit.EventTypes; run PARTNERKIT_WRITE_README=1 go test -run TestReadmeListsEveryEventType .\n--- README\n%s--- want\n%s", m[1], want)
}
