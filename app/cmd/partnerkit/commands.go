//go:build !js

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
)

// version is the release of this binary, stamped at build time:
//
//	go build -ldflags "-X main.version=v1.4.0" ./app/cmd/partnerkit
//
// (make build stamps it from git describe). Unstamped builds say "dev";
// `partnerkit version` adds the module's build information either way.
var version = "dev"

const usage = `Usage: partnerkit [COMMAND] [FLAGS]

Commands:
  serve            run the server: the PWA, the JSON API and the job engine
                   (the default when no command is given)
  migrate up       apply the pending migrations of Partnerkit and River
  migrate status   list the applied and pending migrations of Partnerkit and River
  backup FILE      write a consistent copy of a SQLite database to FILE while the
                   server may be running (PostgreSQL: use pg_dump)
  create-admin     add an admin to the root account, or create the root account
                   and its admin on an empty database
  version          print the version and build information

Every command reads the database from -db or PARTNERKIT_DB (default partnerkit.db).
Run "partnerkit COMMAND -h" for a command's flags ("partnerkit serve -h": the server's).
`

// command runs the command args names (serve when args start with a flag
// or are empty) until ctx is done or the command ends.
func command(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, out io.Writer) error {
	name := "serve"
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
		name = "help"
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		name, args = args[0], args[1:]
	}
	var err error
	switch name {
	case "serve":
		err = run(ctx, args, getenv, out, nil)
	case "migrate":
		err = migrateCommand(ctx, args, getenv, out)
	case "backup":
		err = backupCommand(ctx, args, getenv, out)
	case "create-admin":
		err = createAdminCommand(ctx, args, getenv, stdin, out)
	case "version":
		err = versionCommand(args, out)
	case "help":
		_, err = io.WriteString(out, usage)
	default:
		return fmt.Errorf("unknown command %q\n\n%s", name, usage)
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil // the flag package printed the usage
	}
	return err
}

// newFlagSet returns the flag set of a command, with its -db flag.
func newFlagSet(name string, getenv func(string) string, out io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("partnerkit "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	db := getenv("PARTNERKIT_DB")
	if db == "" {
		db = "partnerkit.db"
	}
	return fs, fs.String("db", db, "SQLite file path or postgres:// DSN (PARTNERKIT_DB)")
}

// noArgs fails when a command got positional arguments it does not take.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// requireExisting fails when dsn is a SQLite path with no file: commands
// that only read must not create an empty database at a mistyped path.
func requireExisting(dsn string) error {
	if sqldb.IsPostgresDSN(dsn) || strings.HasPrefix(dsn, "file:") {
		return nil
	}
	if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s (set -db or PARTNERKIT_DB)", dsn)
	}
	return nil
}

// versionCommand prints the stamped version and the build information.
func versionCommand(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("partnerkit version", flag.ContinueOnError)
	fs.SetOutput(out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	fmt.Fprintf(out, "partnerkit %s\n", version)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintf(out, "go      %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
	fmt.Fprintf(out, "module  %s %s\n", bi.Main.Path, bi.Main.Version)
	fmt.Fprintf(out, "go      %s %s/%s\n", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision", "vcs.time", "vcs.modified":
			fmt.Fprintf(out, "%-7s %s\n", strings.TrimPrefix(s.Key, "vcs."), s.Value)
		}
	}
	return nil
}

// createAdminCommand adds an admin to the root account, or bootstraps an
// empty database with its root account and this first admin.
func createAdminCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, out io.Writer) error {
	fs, dsn := newFlagSet("create-admin", getenv, out)
	email := fs.String("email", getenv("PARTNERKIT_ADMIN_EMAIL"), "the admin's email, their login (PARTNERKIT_ADMIN_EMAIL)")
	name := fs.String("name", "Administrator", "the admin's full name")
	password := fs.String("password", getenv("PARTNERKIT_ADMIN_PASSWORD"),
		"the admin's password (PARTNERKIT_ADMIN_PASSWORD); when both are empty, the first line of standard input, read without a prompt")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: partnerkit create-admin -email EMAIL [-name NAME] [-password PASSWORD | < password-file]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		return errors.New("create-admin: give the admin's email with -email or PARTNERKIT_ADMIN_EMAIL")
	}
	if *password == "" {
		var err error
		if *password, err = readPassword(stdin); err != nil {
			return fmt.Errorf("create-admin: %w", err)
		}
	}
	db, err := openDatabase(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := jobs.Migrate(ctx, db); err != nil {
		return err
	}
	// The events of the change are queued for the server's job engine
	// (webhooks, subscribers); this engine only inserts them.
	engine, err := jobs.New(db, jobs.Config{Rules: []jobs.Rule{}, Logger: quietLogger()})
	if err != nil {
		return err
	}
	defer engine.Stop(context.WithoutCancel(ctx))
	svc, err := server.New(db, server.Options{Publisher: engine})
	if err != nil {
		return err
	}
	root, admin, created, err := svc.Partners.EnsureRoot(ctx, partners.BootstrapInput{
		AccountName: "Provider", AdminEmail: *email, AdminFullName: *name, AdminPassword: *password})
	if err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	if created {
		fmt.Fprintf(out, "The database was empty: created the root account %q (%s) and its admin %s (%s).\n",
			root.Name, root.ID, admin.Email, admin.ID)
		return nil
	}
	actor := partnerkit.Actor{AccountID: root.ID, Role: partnerkit.RoleAdmin, System: true}
	user, err := svc.Partners.CreateUser(ctx, actor, partners.CreateUserInput{AccountID: root.ID, Email: *email,
		FullName: *name, Password: *password, Role: partnerkit.RoleAdmin})
	if err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	fmt.Fprintf(out, "Created the admin %s (%s) in the root account %q (%s).\n", user.Email, user.ID, root.Name, root.ID)
	return nil
}

// readPassword reads the first line of r, which must not be a terminal:
// a password typed there would echo, and there is no prompt to answer.
func readPassword(r io.Reader) (string, error) {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return "", errors.New("no password: give it with -password, PARTNERKIT_ADMIN_PASSWORD, or on standard input (not a terminal)")
		}
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: give it with -password, PARTNERKIT_ADMIN_PASSWORD, or as the first line of standard input")
	}
	return line, nil
}
