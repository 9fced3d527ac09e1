//go:build js && wasm

// Package fetch is the client.Transport of the WebAssembly UI: the
// browser's fetch, same-origin credentials (the session cookie), and
// cancellation through an AbortController. It links no net/http.
package fetch

import (
	"context"
	"errors"
	"strings"
	"syscall/js"

	"github.com/partnerkit/partnerkit/app/client"
)

// Transport sends client requests with window.fetch.
type Transport struct{}

// New returns a fetch Transport.
func New() *Transport { return &Transport{} }

// Do implements client.Transport. It must not be called from a JavaScript
// callback's own goroutine: it waits for the fetch promise.
func (*Transport) Do(ctx context.Context, r *client.Request) (*client.Response, error) {
	opts := js.Global().Get("Object").New()
	opts.Set("method", r.Method)
	opts.Set("credentials", "same-origin")
	headers := js.Global().Get("Headers").New()
	for k, v := range r.Header {
		headers.Call("set", k, v)
	}
	opts.Set("headers", headers)
	if len(r.Body) > 0 {
		body := js.Global().Get("Uint8Array").New(len(r.Body))
		js.CopyBytesToJS(body, r.Body)
		opts.Set("body", body)
	}
	abort := js.Global().Get("AbortController").New()
	opts.Set("signal", abort.Get("signal"))
	stop := context.AfterFunc(ctx, func() { abort.Call("abort") })
	defer stop()

	res, err := await(js.Global().Call("fetch", r.URL, opts))
	if err != nil {
		return nil, err
	}
	out := &client.Response{Status: res.Get("status").Int(), Header: map[string]string{}}
	each := js.FuncOf(func(_ js.Value, args []js.Value) any {
		out.Header[strings.ToLower(args[1].String())] = args[0].String()
		return nil
	})
	res.Get("headers").Call("forEach", each)
	each.Release()
	buf, err := await(res.Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	arr := js.Global().Get("Uint8Array").New(buf)
	out.Body = make([]byte, arr.Get("length").Int())
	js.CopyBytesToGo(out.Body, arr)
	return out, nil
}

// await waits for a promise and returns its value or its rejection.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	var then, catch js.Func
	then = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{v: args[0]}
		return nil
	})
	catch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "fetch failed"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	defer then.Release()
	defer catch.Release()
	p.Call("then", then).Call("catch", catch)
	r := <-done
	return r.v, r.err
}
