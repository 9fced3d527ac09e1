package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
)

// Parsed is a message read back with the standard library's parsers.
type Parsed struct {
	Header netmail.Header
	// Subject is the decoded subject.
	Subject string
	// Text and HTML are the decoded bodies of the multipart/alternative
	// message.
	Text, HTML string
}

// Parse reads a message as a mail client would: its header, and the
// text/plain and text/html parts of a multipart/alternative body.
func Parse(data []byte) (*Parsed, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	p := &Parsed{Header: m.Header}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return nil, err
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	if mt != "multipart/alternative" {
		return nil, fmt.Errorf("content type %s, want multipart/alternative", mt)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := decode(part)
		if err != nil {
			return nil, err
		}
		pt, pp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			return nil, err
		}
		if cs := strings.ToLower(pp["charset"]); cs != "utf-8" {
			return nil, fmt.Errorf("part %s has charset %q, want utf-8", pt, cs)
		}
		switch pt {
		case "text/plain":
			p.Text = body
		case "text/html":
			p.HTML = body
		default:
			return nil, fmt.Errorf("unexpected part %s", pt)
		}
	}
	if p.Text == "" || p.HTML == "" {
		return nil, errors.New("the message lacks its text or HTML part")
	}
	return p, nil
}

func decode(part *multipart.Part) (string, error) {
	var r io.Reader = part
	switch strings.ToLower(part.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(part)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, part)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
