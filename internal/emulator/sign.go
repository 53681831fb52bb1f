package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TC3-HMAC-SHA256 verification, written from the published "Signature v3" algorithm
// (https://www.tencentcloud.com/document/product/266/34114), not from an SDK, so that the client under
// test and the emulator cannot share a bug. The algorithm and its test vectors are in Tencent Cloud's "Signature v3" documentation.

const (
	tc3Algorithm = "TC3-HMAC-SHA256"
	tc3Terminal  = "tc3_request"
	// maxClockSkew is the documented limit: "Timestamp and server time cannot differ by more than five
	// minutes". Treated as symmetric (future timestamps too), which "differ" suggests.
	maxClockSkew = 300 * time.Second
	// unsignedPayload is what clients put in X-TC-Content-SHA256 when the body is not signed.
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// tc3Authorization is a parsed Authorization header:
// "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=a;b, Signature=<hex>".
type tc3Authorization struct {
	SecretID      string
	Date          string // YYYY-MM-DD, UTC date of X-TC-Timestamp
	Service       string
	SignedHeaders string // as sent, e.g. "content-type;host"
	Signature     string
}

func (a tc3Authorization) scope() string { return a.Date + "/" + a.Service + "/" + tc3Terminal }

// signedRequest is the part of an HTTP request the signature covers.
type signedRequest struct {
	Method   string
	Host     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

func newSignedRequest(r *http.Request, body []byte) signedRequest {
	return signedRequest{Method: r.Method, Host: r.Host, RawQuery: r.URL.RawQuery, Header: r.Header, Body: body}
}

// credentialLookup finds the secret key and session rules for a SecretId.
type credentialLookup func(secretID string) (credential, bool)

// verifiedCaller is who signed a request.
type verifiedCaller struct {
	SecretID  string
	Token     string
	Temporary bool
	Service   string // from the credential scope
}

// verifyTC3 checks the Authorization header of req against the clock and the known credentials.
// Checks run in this order: header shape, timestamp, scope date, clock skew, SecretId, token, signature.
// A scope naming another service than the endpoint's is caught by the caller (see endpointService).
// (The real gateway's precedence between these is not documented.)
func verifyTC3(req signedRequest, now time.Time, lookup credentialLookup) (verifiedCaller, *apiError) {
	auth, apiErr := parseTC3Authorization(req.Header.Get("Authorization"))
	if apiErr != nil {
		return verifiedCaller{}, apiErr
	}
	timestamp, apiErr := parseTimestamp(req.Header.Get("X-TC-Timestamp"))
	if apiErr != nil {
		return verifiedCaller{}, apiErr
	}
	if want := time.Unix(timestamp, 0).UTC().Format(time.DateOnly); auth.Date != want {
		// The gateway derives the signing key from the timestamp's date, so another date in the scope
		// is a signature that cannot verify, which the real API reports as such.
		return verifiedCaller{}, errSignatureFailure()
	}
	if skew := now.Sub(time.Unix(timestamp, 0)); skew > maxClockSkew || skew < -maxClockSkew {
		return verifiedCaller{}, newAPIError(CodeSignatureExpire,
			"Signature expired. Timestamp and server time cannot differ by more than five minutes "+
				"(timestamp %d, server time %d).", timestamp, now.Unix())
	}
	cred, ok := lookup(auth.SecretID)
	if !ok {
		return verifiedCaller{}, newAPIError(CodeSecretIDNotFound,
			"The SecretId is not found, please ensure that your SecretId is correct.")
	}
	token := req.Header.Get("X-TC-Token")
	if apiErr := cred.checkToken(token, now); apiErr != nil {
		return verifiedCaller{}, apiErr
	}
	if !signatureMatches(req, auth, timestamp, cred.SecretKey) {
		return verifiedCaller{}, errSignatureFailure()
	}
	return verifiedCaller{SecretID: auth.SecretID, Token: token, Temporary: cred.Temporary, Service: auth.Service}, nil
}

func parseTC3Authorization(header string) (tc3Authorization, *apiError) {
	invalid := func(why string) (tc3Authorization, *apiError) {
		return tc3Authorization{}, newAPIError(CodeInvalidAuthorization, "Authorization header is invalid: %s.", why)
	}
	if header == "" {
		return invalid("it is missing")
	}
	algorithm, rest, found := strings.Cut(header, " ")
	if !found || algorithm != tc3Algorithm {
		return invalid("the algorithm must be " + tc3Algorithm)
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return invalid("expected Credential=..., SignedHeaders=..., Signature=...")
		}
		fields[key] = value
	}
	var auth tc3Authorization
	credentialParts := strings.Split(fields["Credential"], "/")
	if len(credentialParts) != 4 || credentialParts[3] != tc3Terminal || credentialParts[0] == "" {
		return invalid("Credential must be <SecretId>/<date>/<service>/tc3_request")
	}
	auth.SecretID, auth.Date, auth.Service = credentialParts[0], credentialParts[1], credentialParts[2]
	auth.SignedHeaders = fields["SignedHeaders"]
	if apiErr := checkSignedHeaders(auth.SignedHeaders); apiErr != nil {
		return tc3Authorization{}, apiErr
	}
	auth.Signature = fields["Signature"]
	if !isLowerHex(auth.Signature, sha256.Size*2) {
		return invalid("Signature must be 64 lowercase hex characters")
	}
	return auth, nil
}

// checkSignedHeaders accepts any list of lowercase header names that includes content-type and host.
func checkSignedHeaders(list string) *apiError {
	names := strings.Split(list, ";")
	seen := map[string]bool{}
	for _, name := range names {
		if name == "" || name != strings.ToLower(name) || seen[name] {
			return newAPIError(CodeInvalidAuthorization,
				"Authorization header is invalid: SignedHeaders must be distinct lowercase header names separated by ';'.")
		}
		seen[name] = true
	}
	if !seen["content-type"] || !seen["host"] {
		return newAPIError(CodeInvalidAuthorization,
			"Authorization header is invalid: SignedHeaders must include content-type and host.")
	}
	return nil
}

func errSignatureFailure() *apiError {
	return newAPIError(CodeSignatureFailure,
		"The provided credentials could not be validated. Please check your signature is correct.")
}

func parseTimestamp(value string) (int64, *apiError) {
	if value == "" {
		return 0, errMissingParameter("Timestamp")
	}
	timestamp, err := strconv.ParseInt(value, 10, 64)
	if err != nil || timestamp <= 0 {
		return 0, newAPIError(CodeInvalidParameter, "X-TC-Timestamp must be a Unix time in seconds.")
	}
	return timestamp, nil
}

// signatureMatches recomputes the signature as the algorithm prescribes: signed header values are
// lowercased before hashing ("x-tc-action:describeinstances" in the document's example). SDKs that sign
// the raw values still verify because the headers they sign (content-type, host) are lowercase anyway.
func signatureMatches(req signedRequest, auth tc3Authorization, timestamp int64, secretKey string) bool {
	canonical := canonicalRequest(req, auth.SignedHeaders)
	want := tc3Signature(secretKey, auth.Date, auth.Service, stringToSign(timestamp, auth.scope(), canonical))
	return hmac.Equal([]byte(want), []byte(auth.Signature))
}

// canonicalRequest builds the six-line CanonicalRequest. signedHeaders is the list from the
// Authorization header; its headers appear in ASCII order.
func canonicalRequest(req signedRequest, signedHeaders string) string {
	names := strings.Split(signedHeaders, ";")
	slices.Sort(names)
	var headers strings.Builder
	for _, name := range names {
		value := strings.ToLower(strings.TrimSpace(headerValue(req, name)))
		headers.WriteString(name + ":" + value + "\n")
	}
	payloadHash := sha256Hex(req.Body)
	if req.Header.Get("X-TC-Content-SHA256") == unsignedPayload {
		payloadHash = sha256Hex([]byte(unsignedPayload))
	}
	query := ""
	if req.Method != http.MethodPost {
		query = req.RawQuery
	}
	// SignedHeaders is hashed exactly as the client declared it in the Authorization header.
	return strings.Join([]string{req.Method, "/", query, headers.String(), signedHeaders, payloadHash}, "\n")
}

func headerValue(req signedRequest, name string) string {
	if name == "host" {
		return req.Host
	}
	return strings.Join(req.Header.Values(name), ",")
}

func stringToSign(timestamp int64, scope, canonicalRequest string) string {
	return tc3Algorithm + "\n" + strconv.FormatInt(timestamp, 10) + "\n" + scope + "\n" + sha256Hex([]byte(canonicalRequest))
}

// tc3Signature derives the signing key (SecretDate -> SecretService -> SecretSigning) and signs.
func tc3Signature(secretKey, date, service, stringToSign string) string {
	secretDate := hmacSHA256([]byte("TC3"+secretKey), date)
	secretService := hmacSHA256(secretDate, service)
	secretSigning := hmacSHA256(secretService, tc3Terminal)
	return hex.EncodeToString(hmacSHA256(secretSigning, stringToSign))
}

func hmacSHA256(key []byte, message string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(message))
	return mac.Sum(nil)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func isLowerHex(s string, length int) bool {
	if len(s) != length {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
