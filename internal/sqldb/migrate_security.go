package sqldb

// securitySteps are the schema of passwords, sessions and two-factor
// sign-in (issue 15): reset links, sign-in challenges, TOTP secrets and
// recovery codes, account security settings, known devices, and what
// session lists and team invitation lists show.
var securitySteps = []schemaMigration{
	{name: "20261220000001", comment: "account_security", statements: []string{
		// A session's ID names it in lists (never its token); existing
		// sessions take one made from their token hash, which is no
		// credential (GetSession needs the whole hash of the token).
		`ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT ''`,
		`UPDATE sessions SET id = 'SE-' || substr(token_hash, 1, 26)`,
		`CREATE UNIQUE INDEX sessions_id_key ON sessions (id)`,
		`ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT ''`,
		// Restricted to two-factor enrolment (the account requires it).
		`ALTER TABLE sessions ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE`,
		// Forgot-password links: used once by UPDATE … WHERE used_at IS NULL
		// AND expires_at > now.
		`CREATE TABLE password_resets (
			token_hash TEXT PRIMARY KEY,
			user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			created_at {{ts}} NOT NULL,
			expires_at {{ts}} NOT NULL,
			used_at {{ts}}
		)`,
		`CREATE INDEX password_resets_user_idx ON password_resets (user_id)`,
		// The first step of a two-factor sign-in.
		`CREATE TABLE sign_in_challenges (
			token_hash TEXT PRIMARY KEY,
			user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			address TEXT NOT NULL DEFAULT '',
			user_agent TEXT NOT NULL DEFAULT '',
			created_at {{ts}} NOT NULL,
			expires_at {{ts}} NOT NULL,
			failures INTEGER NOT NULL DEFAULT 0,
			used_at {{ts}}
		)`,
		`CREATE INDEX sign_in_challenges_user_idx ON sign_in_challenges (user_id)`,
		// One row per user: the TOTP secret (pending while enabled_at is
		// null), the last accepted time step, the new-device mail setting.
		`CREATE TABLE two_factor (
			user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
			secret TEXT NOT NULL DEFAULT '',
			enabled_at {{ts}},
			last_step {{bigint}} NOT NULL DEFAULT 0,
			mute_new_sign_in BOOLEAN NOT NULL DEFAULT FALSE,
			updated_at {{ts}} NOT NULL
		)`,
		// Recovery codes, hashed; used once.
		`CREATE TABLE recovery_codes (
			user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			code_hash TEXT NOT NULL,
			used_at {{ts}},
			PRIMARY KEY (user_id, code_hash)
		)`,
		`CREATE TABLE account_security (
			account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
			require_two_factor BOOLEAN NOT NULL DEFAULT FALSE,
			updated_at {{ts}} NOT NULL
		)`,
		// The devices (DeviceName labels) a user signed in from.
		`CREATE TABLE known_devices (
			user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			device TEXT NOT NULL,
			first_seen_at {{ts}} NOT NULL,
			PRIMARY KEY (user_id, device)
		)`,
		// Team invitation lists: when each was last sent, and revocation.
		`ALTER TABLE team_invitations ADD COLUMN sent_at {{ts}}`,
		`UPDATE team_invitations SET sent_at = created_at`,
		`ALTER TABLE team_invitations ADD COLUMN revoked_at {{ts}}`,
		`CREATE INDEX team_invitations_account_created_idx ON team_invitations (account_id, created_at, id)`,
	}},
}
