package sqldb

// sizeSteps make the file of a large directory smaller (issue 13: 100,000
// partners took 159 MB after VACUUM, PocketBase 19.5 MB). The audit
// snapshots are compressed by partners/bunstore as they are written, which
// needs no step.
var sizeSteps = []schemaMigration{
	{name: "20261222000001", comment: "integer_timestamps", statements: []string{
		// On SQLite the timestamps of the tables that grow with the
		// directory become INTEGER microseconds since the Unix epoch (8
		// bytes instead of Bun's 32 characters of text, in the rows and in
		// the indexes that carry them: accounts_directory_created_idx and
		// both audit indexes). Column types stay (SQLite keeps an integer
		// in a TIMESTAMP column); the stores write and read them through
		// sqldb.Time. PostgreSQL keeps TIMESTAMPTZ (8 bytes already).
		`{{sqlite}} UPDATE accounts SET created_at = ` + textToMicros("created_at") + `, updated_at = ` + textToMicros("updated_at") + `
			WHERE typeof(created_at) = 'text' OR typeof(updated_at) = 'text'`,
		`{{sqlite}} UPDATE audit_events SET at = ` + textToMicros("at") + ` WHERE typeof(at) = 'text'`,
	}},
	{name: "20261222000002", comment: "audit_other_entity_index", statements: []string{
		// Most events of a directory are an account's about itself
		// (partner.*: entity_id = account_id), which
		// audit_events_account_at_idx holds already: the entity index
		// keeps only the others, and an entity's audit trail reads both
		// (partners/bunstore AuditTrail).
		`DROP INDEX audit_events_entity_idx`,
		`CREATE INDEX audit_events_other_entity_idx ON audit_events (entity_id, at, id) WHERE entity_id <> account_id`,
	}},
}

// textToMicros is the SQLite expression of column's value in microseconds
// since the Unix epoch when it holds a timestamp as text (Bun writes
// "2006-01-02 15:04:05.999999-07:00", the fraction optional), and its
// value itself otherwise. unixepoch drops the fraction of a second, which
// is added from the digits after the point (up to six). It is part of a
// shipped step: never change it.
func textToMicros(column string) string {
	frac := "substr(" + column + ", 21, 6)" // the digits after the point, and what follows them
	digits := "substr(" + frac + ", 1, min(instr(" + frac + " || '+', '+'), instr(" + frac + " || '-', '-'), instr(" + frac + " || 'Z', 'Z')) - 1)"
	return "CASE WHEN typeof(" + column + ") <> 'text' THEN " + column + " ELSE unixepoch(" + column + ") * 1000000 + " +
		"CASE WHEN substr(" + column + ", 20, 1) = '.' THEN CAST(substr(" + digits + " || '000000', 1, 6) AS INTEGER) ELSE 0 END END"
}
