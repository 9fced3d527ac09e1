// Command load is Partnerkit's reproducible load harness (make load). It
// starts the server binary on a fresh database, loads it with partners
// through the bulk API, then runs each workload — a closed loop at a fixed
// concurrency for a fixed time — and, when asked, an open-loop hold at a
// fixed rate, printing per-minute requests per second, p50, p99, errors
// and the server's RSS (and the SQLite WAL's size). Everything runs on
// loopback and is bounded in time and count.
//
//	go run ./internal/tools/load -bin bin/partnerkit -partners 100000 -c 32 -d 15s
//	go run ./internal/tools/load -workloads mixed -hold 5m -rate 1200
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/partnerkit", "the server binary")
	dsn := flag.String("db", "", "database: empty for a fresh SQLite file in a temporary directory, or a postgres:// DSN of an empty database")
	n := flag.Int("partners", 100_000, "partners to load before the workloads")
	conc := flag.Int("c", 32, "concurrent clients of the closed-loop workloads")
	dur := flag.Duration("d", 15*time.Second, "duration of each closed-loop workload")
	workloads := flag.String("workloads", "list,filtered,get,create,listnototal", "closed-loop workloads, comma-separated: list, filtered, get, create, listnototal, mixed")
	hold := flag.Duration("hold", 0, "duration of the open-loop hold (0: none)")
	rate := flag.Float64("rate", 0, "requests per second of the open-loop hold (mixed 70/30 reads/writes); 0: 80% of the mixed closed-loop peak")
	rounds := flag.Int("rounds", 1, "times to repeat the closed-loop workloads")
	flag.BoolVar(&useWrk, "wrk", false, "drive the closed-loop workloads with wrk (Debian's wrk package: -t2, --latency) instead of the harness's own client")
	flag.BoolVar(&keep, "keep", false, "keep the database and the server's log (the folder is printed)")
	flag.StringVar(&profileDir, "profile", "", "folder to save a CPU profile of the server during each workload (load-<workload>.pprof)")
	flag.Parse()
	if err := run(*bin, *dsn, *n, *conc, *dur, strings.Split(*workloads, ","), *hold, *rate, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(bin, dsn string, partners, conc int, dur time.Duration, workloads []string, hold time.Duration, rate float64, rounds int) error {
	dir, err := os.MkdirTemp("", "partnerkit-load")
	if err != nil {
		return err
	}
	if keep {
		fmt.Printf("keeping the database and the server log in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if dsn == "" {
		dsn = filepath.Join(dir, "load.db")
	}
	srv, err := startServer(bin, dsn, dir)
	if err != nil {
		return err
	}
	defer srv.stop()
	c := &client{base: srv.base, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	if err := c.signIn(); err != nil {
		return err
	}
	start := time.Now()
	ids, err := c.load(partners)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("loaded %d partners in %s: %.0f partners/s through POST /partners/batch; RSS %s%s\n",
		partners, took.Round(time.Millisecond), float64(partners)/took.Seconds(), mib(srv.rss()), srv.files())
	time.Sleep(settle) // the server refreshes its planner statistics every minute
	peak := 0.0
	for round := 1; round <= rounds; round++ {
		for _, w := range workloads {
			if strings.TrimSpace(w) == "" {
				continue
			}
			op, ok := c.workload(strings.TrimSpace(w), ids)
			if !ok {
				return fmt.Errorf("unknown workload %q", w)
			}
			wait := srv.profile(w, dur)
			var summary string
			var rate float64
			if useWrk {
				summary, rate, err = runWrk(c, strings.TrimSpace(w), ids, conc, dur, dir)
				if err != nil {
					return err
				}
			} else {
				st := closedLoop(op, conc, dur)
				summary, rate = st.String(), st.rate()
			}
			wait()
			fmt.Printf("round %d %-12s c=%d %s: %s; RSS %s%s\n", round, w, conc, dur, summary, mib(srv.rss()), srv.files())
			if w == "mixed" {
				peak = max(peak, rate)
			}
		}
	}
	if hold > 0 {
		if rate == 0 {
			if peak == 0 {
				op, _ := c.workload("mixed", ids)
				peak = closedLoop(op, conc, dur).rate()
			}
			rate = 0.8 * peak
		}
		op, _ := c.workload("mixed", ids)
		fmt.Printf("hold: mixed 70/30 at %.0f req/s for %s\n", rate, hold)
		openLoop(op, rate, hold, srv)
	}
	return nil
}

// settle is how long the harness waits after loading, so the server's
// periodic statistics refresh has run (see optimizeEvery in the server).
var settle = 65 * time.Second

// useWrk drives the closed-loop workloads with wrk.
var useWrk bool

// keep keeps the temporary folder with the database and the log.
var keep bool

// profileDir, when set, receives a CPU profile of every workload.
var profileDir string

// profile saves a CPU profile of the server for d into dir/load-name.pprof.
func (s *server) profile(name string, d time.Duration) func() {
	if profileDir == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.pprof, max(int(d.Seconds())-1, 1)))
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		defer res.Body.Close()
		f, err := os.Create(filepath.Join(profileDir, "load-"+name+".pprof"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		defer f.Close()
		_, _ = io.Copy(f, res.Body)
	}()
	return func() { <-done }
}

// server is the server process under load.
type server struct {
	cmd   *exec.Cmd
	base  string
	db    string
	pprof string
}

func startServer(bin, dsn, dir string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	pprofAddr := pl.Addr().String()
	pl.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PARTNERKIT_ADDR="+addr, "PARTNERKIT_DB="+dsn, "PARTNERKIT_PPROF="+pprofAddr,
		"PARTNERKIT_ADMIN_EMAIL=load@partnerkit.local", "PARTNERKIT_ADMIN_PASSWORD=L0ad-harness!", "PARTNERKIT_RATE_LIMIT=off")
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr, db: dsn, pprof: pprofAddr}
	for range 300 {
		if res, err := http.Get(s.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("the server did not answer /healthz (log in %s)", logf.Name())
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

// rss returns the server's anonymous resident memory in bytes (RssAnon:
// its heap and stacks; the SQLite file mapped into memory is the OS page
// cache's, shared, and counted once per connection in VmRSS).
func (s *server) rss() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// files reports the SQLite file and WAL sizes.
func (s *server) files() string {
	if strings.HasPrefix(s.db, "postgres") {
		return ""
	}
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	return fmt.Sprintf("; db %s, WAL %s", mib(size(s.db)), mib(size(s.db+"-wal")))
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// client calls the API with a session cookie.
type client struct {
	base   string
	http   *http.Client
	cookie string
	seq    atomic.Int64
}

func (c *client) do(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+"/api/v1"+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", c.base)
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if method == http.MethodPost && path == "/session" {
		for _, ck := range res.Cookies() {
			if ck.Name == "partnerkit_session" {
				c.cookie = ck.Name + "=" + ck.Value
			}
		}
	}
	return res.StatusCode, data, err
}

func (c *client) signIn() error {
	status, body, err := c.do(http.MethodPost, "/session", map[string]string{"email": "load@partnerkit.local", "password": "L0ad-harness!"})
	if err != nil || status != 201 {
		return fmt.Errorf("sign in: %d %s %v", status, body, err)
	}
	return nil
}

var types = []string{"vendor", "reseller"}

// load creates n partners through the bulk API and returns their IDs: a
// third suspended, half vendors, each with an external ID and two contacts.
func (c *client) load(n int) ([]string, error) {
	const batch = 1000
	var ids []string
	for off := 0; off < n; off += batch {
		var items []map[string]any
		for i := off; i < min(off+batch, n); i++ {
			status := "active"
			if i%3 == 0 {
				status = "invited" // a third not active (new partners cannot start suspended)
			}
			items = append(items, map[string]any{"type": types[i%2], "name": fmt.Sprintf("Partner %06d %s", i, words[i%len(words)]),
				"external_id": fmt.Sprintf("EXT-%06d", i), "status": status,
				"business_contact":  map[string]string{"name": "Biz", "email": fmt.Sprintf("biz%d@partner.example", i)},
				"technical_contact": map[string]string{"name": "Tech", "email": fmt.Sprintf("tech%d@partner.example", i)}})
		}
		status, body, err := c.do(http.MethodPost, "/partners/batch", map[string]any{"partners": items})
		if err != nil || status != 201 {
			return nil, fmt.Errorf("bulk load at %d: %d %.300s %v", off, status, body, err)
		}
		var out struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return nil, err
		}
		for _, it := range out.Items {
			ids = append(ids, it.ID)
		}
	}
	return ids, nil
}

var words = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent"}

// op is one request of a workload; it reports whether the answer was an
// error (a 5xx or a transport error; a 4xx other than expected is too).
type op func() (ok bool, status int)

func (c *client) workload(name string, ids []string) (op, bool) {
	get := func(path string, want int) op {
		return func() (bool, int) {
			status, _, err := c.do(http.MethodGet, path, nil)
			return err == nil && status == want, status
		}
	}
	switch name {
	case "list":
		return get("/partners?sort=name&limit=50", 200), true
	case "listnototal":
		return get("/partners?sort=name&limit=50&total=false", 200), true
	case "filtered":
		return get("/partners?sort=name&limit=50&status=active&type=vendor", 200), true
	case "get":
		return func() (bool, int) {
			status, _, err := c.do(http.MethodGet, "/partners/"+ids[rand.IntN(len(ids))], nil)
			return err == nil && status == 200, status
		}, true
	case "create":
		return c.create, true
	case "mixed":
		return func() (bool, int) {
			switch r := rand.IntN(10); {
			case r < 3:
				return c.create()
			case r < 5:
				return get("/partners?sort=name&limit=50", 200)()
			default:
				status, _, err := c.do(http.MethodGet, "/partners/"+ids[rand.IntN(len(ids))], nil)
				return err == nil && status == 200, status
			}
		}, true
	}
	return nil, false
}

func (c *client) create() (bool, int) {
	i := c.seq.Add(1)
	status, _, err := c.do(http.MethodPost, "/partners", map[string]any{"type": "reseller",
		"name": fmt.Sprintf("Created %d", i), "external_id": fmt.Sprintf("NEW-%d-%d", time.Now().UnixNano(), i)})
	return err == nil && status == 201, status
}

// stats are the outcomes of a run.
type stats struct {
	lat      []time.Duration
	errors   int
	statuses map[int]int
	elapsed  time.Duration
}

func (s stats) rate() float64 { return float64(len(s.lat)) / s.elapsed.Seconds() }

func (s stats) String() string {
	if len(s.lat) == 0 {
		return "no requests"
	}
	slices.Sort(s.lat)
	q := func(p float64) time.Duration { return s.lat[min(int(p*float64(len(s.lat))), len(s.lat)-1)] }
	codes := ""
	for _, k := range slices.Sorted(func(yield func(int) bool) {
		for k := range s.statuses {
			if !yield(k) {
				return
			}
		}
	}) {
		codes += fmt.Sprintf(" %d×%d", s.statuses[k], k)
	}
	return fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, %d errors (%.2f%%) [%s ]", s.rate(), q(0.5).Round(10*time.Microsecond),
		q(0.99).Round(10*time.Microsecond), s.errors, 100*float64(s.errors)/float64(len(s.lat)), codes)
}

// closedLoop runs op in conc goroutines for dur.
func closedLoop(fn op, conc int, dur time.Duration) stats {
	var mu sync.Mutex
	all := stats{statuses: map[int]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			codes := map[int]int{}
			for ctx.Err() == nil {
				t := time.Now()
				ok, status := fn()
				lat = append(lat, time.Since(t))
				codes[status]++
				if !ok {
					errs++
				}
			}
			mu.Lock()
			all.lat = append(all.lat, lat...)
			all.errors += errs
			for k, v := range codes {
				all.statuses[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	return all
}

// openLoop sends op at a fixed rate for dur, whatever the answers' times
// (requests queue when the server is slow), and prints each minute.
func openLoop(fn op, rate float64, dur time.Duration, srv *server) {
	interval := time.Duration(float64(time.Second) / rate)
	var mu sync.Mutex
	minute := stats{statuses: map[int]int{}}
	minuteStart := time.Now()
	report := func(i int) {
		mu.Lock()
		m := minute
		m.elapsed = time.Since(minuteStart)
		minute, minuteStart = stats{statuses: map[int]int{}}, time.Now()
		mu.Unlock()
		fmt.Printf("  minute %d: %s; RSS %s%s\n", i, m, mib(srv.rss()), srv.files())
	}
	end := time.Now().Add(dur)
	next := time.Now()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4096) // bound the client's own outstanding requests
	i := 1
	for time.Now().Before(end) {
		select {
		case <-tick.C:
			report(i)
			i++
		default:
		}
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		next = next.Add(interval)
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			t := time.Now()
			ok, status := fn()
			d := time.Since(t)
			mu.Lock()
			minute.lat = append(minute.lat, d)
			minute.statuses[status]++
			if !ok {
				minute.errors++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	report(i)
}

// runWrk runs one workload with wrk (-t2 -c conc -d dur --latency) and a
// generated Lua script, and returns its summary and rate.
func runWrk(c *client, name string, ids []string, conc int, dur time.Duration, dir string) (string, float64, error) {
	var lua strings.Builder
	fmt.Fprintf(&lua, "wrk.headers[\"Cookie\"] = %q\nwrk.headers[\"Origin\"] = %q\n", c.cookie, c.base)
	path := map[string]string{"list": "/api/v1/partners?sort=name&limit=50", "listnototal": "/api/v1/partners?sort=name&limit=50&total=false",
		"filtered": "/api/v1/partners?sort=name&limit=50&status=active&type=vendor"}[name]
	switch name {
	case "list", "listnototal", "filtered":
		fmt.Fprintf(&lua, "wrk.path = %q\n", path)
	case "get":
		lua.WriteString("local ids = {")
		for _, id := range ids {
			fmt.Fprintf(&lua, "%q,", id)
		}
		lua.WriteString("}\nrequest = function() return wrk.format(\"GET\", \"/api/v1/partners/\" .. ids[math.random(#ids)]) end\n")
	case "create":
		fmt.Fprintf(&lua, `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
local run = %d
request = function()
  n = n + 1
  local body = string.format('{"type":"reseller","name":"Wrk %%d %%d","external_id":"WRK-%%d-%%d-%%d"}', run, n, run, tid, n)
  return wrk.format(nil, "/api/v1/partners", nil, body)
end
`, time.Now().UnixNano())
	default:
		return "", 0, fmt.Errorf("wrk runs list, listnototal, filtered, get and create; not %q", name)
	}
	script := filepath.Join(dir, name+".lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o644); err != nil {
		return "", 0, err
	}
	out, err := exec.Command("wrk", "-t2", "-c"+strconv.Itoa(conc), "-d"+dur.String(), "--latency", "-s", script, c.base).CombinedOutput()
	if err != nil {
		return "", 0, fmt.Errorf("wrk: %v: %s", err, out)
	}
	text := string(out)
	field := func(prefix string) string {
		for _, line := range strings.Split(text, "\n") {
			if f := strings.Fields(line); len(f) >= 2 && strings.TrimSpace(line) != "" && strings.HasPrefix(strings.TrimSpace(line), prefix) {
				return f[len(f)-1]
			}
		}
		return "0"
	}
	rate, _ := strconv.ParseFloat(field("Requests/sec:"), 64)
	bad := field("Non-2xx or 3xx responses:")
	return fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, %s non-2xx (wrk)", rate, field("50%"), field("99%"), bad), rate, nil
}
