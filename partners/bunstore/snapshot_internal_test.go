package bunstore

import (
	"encoding/json"
	"testing"
)

// BenchmarkNewSnapshot compresses the snapshot of a partner as an audit
// event stores it; bytes/op is its stored size.
func BenchmarkNewSnapshot(b *testing.B) {
	js := json.RawMessage(`{"id":"PA-06h3ejv011rh6ktjpvct28m944","type":"vendor","name":"Partner 000500 Acme","external_id":"EXT-000500",` +
		`"status":"active","manager_id":"PA-06h3ejtzbzy00hjcrt2y44xsvg","business_contact":{"name":"Biz","email":"biz500@partner.example","phone":""},` +
		`"technical_contact":{"name":"Tech","email":"tech500@partner.example","phone":""},"created_at":"2026-12-02T15:04:05.123456Z",` +
		`"updated_at":"2026-12-02T15:04:05.123456Z","version":1}`)
	ids := [4]string{"PA-06h3ejv011rh6ktjpvct28m944", "PA-06h3ejv011rh6ktjpvct28m944", "PA-06h3ejtzbzy00hjcrt2y44xsvg", "UR-06h3ejtzgeazsrtr960bjb9s6m"}
	var v snapshot
	for b.Loop() {
		v = newSnapshot(js, ids, true)
	}
	if v.blob == nil {
		b.Fatal("not compressed")
	}
	back, err := v.json(ids)
	if err != nil || string(back) != string(js) {
		b.Fatalf("round trip: %v\n%s", err, back)
	}
	b.ReportMetric(float64(len(v.blob)), "stored-bytes")
}
