//go:build !js

package observe

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// NewLogger returns the server's logger on out: text lines (format "" or
// "text", the default) or one JSON object a line ("json";
// PARTNERKIT_LOG_FORMAT). Every record logged with a context inside a
// traced request carries trace_id and span_id; the API's request lines
// carry request_id.
func NewLogger(out io.Writer, format string) (*slog.Logger, error) {
	var h slog.Handler
	switch format {
	case "", "text":
		h = slog.NewTextHandler(out, nil)
	case "json":
		h = slog.NewJSONHandler(out, nil)
	default:
		return nil, fmt.Errorf("log format %q: say text (the default) or json (PARTNERKIT_LOG_FORMAT)", format)
	}
	return slog.New(TraceHandler(h)), nil
}

// TraceHandler wraps h: a record logged with a context that holds a valid
// span context gets its trace_id and span_id.
func TraceHandler(h slog.Handler) slog.Handler { return traceHandler{h} }

type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name)}
}
