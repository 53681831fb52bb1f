package objectstore

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // COS q-sign-algorithm=sha1 is HMAC-SHA1 by definition.
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// signAlgorithmSHA1 is the only q-sign-algorithm COS defines.
const signAlgorithmSHA1 = "sha1"

// Names of the signature fields, used both in the Authorization header and
// as query parameters of a presigned URL.
const (
	fieldAlgorithm  = "q-sign-algorithm"
	fieldAccessKey  = "q-ak"
	fieldSignTime   = "q-sign-time"
	fieldKeyTime    = "q-key-time"
	fieldHeaderList = "q-header-list"
	fieldParamList  = "q-url-param-list"
	fieldSignature  = "q-signature"
)

// securityTokenName carries a temporary credential's token, as a header or
// (in presigned URLs) as a query parameter.
const securityTokenName = "x-cos-security-token"

// cosEncode is the RFC 3986 encoding COS signs with: only A-Z a-z 0-9 - _ . ~
// stay literal, everything else (including space, "/", "!'()*") becomes %XX
// with uppercase hex.
func cosEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// signingName is how a header or parameter name appears in q-header-list,
// q-url-param-list and the HttpString.
func signingName(name string) string {
	return strings.ToLower(cosEncode(name))
}

// formatPairs renders HttpParameters or HttpHeaders: entries sorted by name,
// the values of one name sorted before encoding, joined with "&".
func formatPairs(pairs map[string][]string) string {
	names := make([]string, 0, len(pairs))
	for name := range pairs {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		values := append([]string(nil), pairs[name]...)
		sort.Strings(values)
		for _, v := range values {
			out = append(out, name+"="+cosEncode(v))
		}
	}
	return strings.Join(out, "&")
}

// canonicalRequest is everything of a request that the signature covers.
type canonicalRequest struct {
	Method  string
	Path    string              // decoded path, e.g. "/dir/big name+.mp4"
	Params  map[string][]string // signing names -> raw values
	Headers map[string][]string // signing names -> raw values
}

// httpString is the HttpString of the published algorithm.
func (c canonicalRequest) httpString() string {
	return strings.ToLower(c.Method) + "\n" + c.Path + "\n" +
		formatPairs(c.Params) + "\n" + formatPairs(c.Headers) + "\n"
}

func hmacSHA1Hex(key, msg string) string {
	mac := hmac.New(sha1.New, []byte(key))
	mac.Write([]byte(msg))
	return hex.EncodeToString(mac.Sum(nil))
}

func sha1Hex(msg string) string {
	sum := sha1.Sum([]byte(msg)) //nolint:gosec // see import comment
	return hex.EncodeToString(sum[:])
}

// signKey derives the per-window key: hex(HMAC-SHA1(SecretKey, KeyTime)).
func signKey(secretKey, keyTime string) string {
	return hmacSHA1Hex(secretKey, keyTime)
}

// stringToSign wraps the digest of the HttpString with the algorithm and key time.
func stringToSign(keyTime, httpString string) string {
	return signAlgorithmSHA1 + "\n" + keyTime + "\n" + sha1Hex(httpString) + "\n"
}

// computeSignature is q-signature for a request.
func computeSignature(secretKey, keyTime string, c canonicalRequest) string {
	return hmacSHA1Hex(signKey(secretKey, keyTime), stringToSign(keyTime, c.httpString()))
}

// authFields are the q-* fields a client sent.
type authFields struct {
	Algorithm  string
	AccessKey  string
	SignTime   string
	KeyTime    string
	HeaderList []string
	ParamList  []string
	Signature  string
	InQuery    bool // presigned URL rather than Authorization header
}

// queryParam is one query parameter as sent, in order.
type queryParam struct {
	Name, Value string
}

// parseQuery decodes a raw query like url.ParseQuery (including "+" as space)
// but also accepts a literal ";", which hand-built presigned URLs may carry in
// q-header-list and which net/url rejects.
func parseQuery(raw string) ([]queryParam, error) {
	var params []queryParam
	for _, piece := range strings.Split(raw, "&") {
		if piece == "" {
			continue
		}
		name, value, _ := strings.Cut(piece, "=")
		n, err := url.QueryUnescape(name)
		if err != nil {
			return nil, fmt.Errorf("query parameter %q: %w", name, err)
		}
		v, err := url.QueryUnescape(value)
		if err != nil {
			return nil, fmt.Errorf("query parameter %q: %w", n, err)
		}
		params = append(params, queryParam{Name: n, Value: v})
	}
	return params, nil
}

// isSignatureField reports whether a query parameter belongs to the signature
// itself; those are never part of what is signed.
func isSignatureField(name string) bool {
	switch strings.ToLower(name) {
	case fieldAlgorithm, fieldAccessKey, fieldSignTime, fieldKeyTime, fieldHeaderList, fieldParamList, fieldSignature:
		return true
	}
	return false
}

// errNoSignature means the request is anonymous.
var errNoSignature = newError(ErrAccessDenied, "Access Denied. The request carries no signature.")

// parseAuth reads the signature from the Authorization header or, failing
// that, from the query (presigned URL).
func parseAuth(r *http.Request, query []queryParam) (authFields, *cosError) {
	fields := map[string]string{}
	var inQuery bool
	if header := r.Header.Get("Authorization"); header != "" {
		// The header is "k=v&k=v..." with literal values (no URL encoding).
		for _, piece := range strings.Split(header, "&") {
			name, value, _ := strings.Cut(strings.TrimSpace(piece), "=")
			fields[strings.ToLower(name)] = value
		}
	} else {
		for _, p := range query {
			if isSignatureField(p.Name) {
				fields[strings.ToLower(p.Name)] = p.Value
				inQuery = true
			}
		}
		if !inQuery {
			return authFields{}, errNoSignature
		}
	}
	a := authFields{
		Algorithm:  fields[fieldAlgorithm],
		AccessKey:  fields[fieldAccessKey],
		SignTime:   fields[fieldSignTime],
		KeyTime:    fields[fieldKeyTime],
		HeaderList: splitList(fields[fieldHeaderList]),
		ParamList:  splitList(fields[fieldParamList]),
		Signature:  fields[fieldSignature],
		InQuery:    inQuery,
	}
	for _, name := range []string{fieldAlgorithm, fieldAccessKey, fieldSignTime, fieldKeyTime, fieldSignature} {
		if fields[name] == "" {
			return authFields{}, newError(ErrAccessDenied, "Authorization is missing "+name+".")
		}
	}
	if a.Algorithm != signAlgorithmSHA1 {
		return authFields{}, newError(ErrAccessDenied, "q-sign-algorithm must be sha1.")
	}
	return a, nil
}

func splitList(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ";")
}

// timeWindow parses "<start>;<end>" in Unix seconds.
func timeWindow(s string) (start, end time.Time, ok bool) {
	a, b, found := strings.Cut(s, ";")
	if !found {
		return time.Time{}, time.Time{}, false
	}
	from, err1 := strconv.ParseInt(a, 10, 64)
	to, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || from > to {
		return time.Time{}, time.Time{}, false
	}
	return time.Unix(from, 0), time.Unix(to, 0), true
}

// checkWindows rejects signatures used outside q-sign-time or q-key-time.
// The SDK sends identical values; checking both keeps a client from
// stretching a short key window with a long sign window.
func checkWindows(a authFields, now time.Time) *cosError {
	for _, w := range []struct{ name, value string }{{fieldSignTime, a.SignTime}, {fieldKeyTime, a.KeyTime}} {
		start, end, ok := timeWindow(w.value)
		if !ok {
			return newError(ErrAccessDenied, w.name+" must be <start>;<end> in Unix seconds.")
		}
		if now.Before(start) {
			return newError(ErrAccessDenied, "Request is not yet valid.")
		}
		if now.After(end) {
			return newError(ErrAccessDenied, "Request has expired")
		}
	}
	return nil
}

// canonicalize collects what the client says it signed. Like COS, only the
// headers and parameters named in the lists are covered; each must be
// present. Unlisted ones (e.g. an x-cos-security-token appended to a URL
// after signing, as cos-js-sdk does) are allowed and unsigned.
func canonicalize(r *http.Request, query []queryParam, a authFields) (canonicalRequest, *cosError) {
	c := canonicalRequest{
		Method:  r.Method,
		Path:    r.URL.Path,
		Params:  map[string][]string{},
		Headers: map[string][]string{},
	}
	if c.Path == "" {
		c.Path = "/"
	}
	params := map[string][]string{}
	for _, p := range query {
		if a.InQuery && isSignatureField(p.Name) {
			continue
		}
		params[signingName(p.Name)] = append(params[signingName(p.Name)], p.Value)
	}
	for _, name := range a.ParamList {
		values, ok := params[name]
		if !ok {
			return c, newError(ErrSignatureDoesNotMatch, "Signed URL parameter "+name+" is missing from the request.")
		}
		c.Params[name] = values
	}
	headers := signableHeaders(r)
	for _, name := range a.HeaderList {
		values, ok := headers[name]
		if !ok {
			return c, newError(ErrSignatureDoesNotMatch, "Signed header "+name+" is missing from the request.")
		}
		c.Headers[name] = values
	}
	return c, nil
}

// signableHeaders maps signing names to values, restoring the headers that
// net/http moves out of r.Header (Host, Transfer-Encoding, Content-Length).
func signableHeaders(r *http.Request) map[string][]string {
	headers := map[string][]string{}
	for name, values := range r.Header {
		headers[signingName(name)] = values
	}
	headers["host"] = []string{r.Host}
	if len(r.TransferEncoding) > 0 {
		headers["transfer-encoding"] = []string{strings.Join(r.TransferEncoding, ", ")}
	}
	if _, ok := headers["content-length"]; !ok && r.ContentLength >= 0 && r.TransferEncoding == nil {
		headers["content-length"] = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	return headers
}

// signatureMatches compares in constant time; COS accepts either hex case.
func signatureMatches(sent, computed string) bool {
	return hmac.Equal([]byte(strings.ToLower(sent)), []byte(computed))
}
