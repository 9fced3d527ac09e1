package storetest_test

import (
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/partners/memstore"
	"github.com/partnerkit/partnerkit/storetest"
)

// The package comment shows an adopter the code between the markers:
// TestPackageDocShowsTheAdopterCode keeps the two identical, and go test
// runs TestMyStore.

// adopter begin

// myHarness makes the stores under test: a partners store only, here
// Partnerkit's memory store standing in for one of your own.
type myHarness struct{}

func newMyHarness(t *testing.T) storetest.Harness { return myHarness{} }

func (myHarness) MakeStores(t *testing.T) storetest.Stores {
	return storetest.Stores{Partners: memstore.New(memstore.NewDB())}
}

func (myHarness) Capabilities() storetest.Capabilities {
	return storetest.Capabilities{Name: "mine", SerializesWrites: true}
}

func (myHarness) Close() {}

func TestMyStore(t *testing.T) {
	storetest.RunConformanceTests(t, newMyHarness)
}

// adopter end

// TestPackageDocShowsTheAdopterCode: the code the package comment and the
// README show is the code above, so it cannot rot.
func TestPackageDocShowsTheAdopterCode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "storetest.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("adopter_test.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)// adopter begin\n\n(.*?)\n\n// adopter end`).FindSubmatch(src)
	if m == nil {
		t.Fatal("adopter_test.go has no adopter begin/end markers")
	}
	var code []string
	for _, l := range strings.Split(string(m[1]), "\n") {
		if l != "" {
			l = "\t" + l
		}
		code = append(code, l)
	}
	want := strings.Join(code, "\n") + "\n"
	if doc := f.Doc.Text(); !strings.Contains(doc, want) {
		t.Fatalf("the package comment's code differs from adopter_test.go's:\n--- package comment\n%s--- adopter_test.go\n%s", doc, want)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)## Run the conformance kit on your store\n.*?```go\n(.*?)```").FindSubmatch(readme)
	if block == nil || string(block[1]) != string(m[1])+"\n" {
		t.Fatalf("the README's conformance-kit block differs from adopter_test.go's code:\n%s", m[1])
	}
}
