package emulator

import (
	"encoding/hex"
	"net/http"
	"regexp"
	"testing"
	"time"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Vector A/B inputs (the "Signature v3" documentation's examples): the body carries literal backslash-u escapes.
const (
	vectorABody      = `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
	vectorTimestamp  = 1551113065
	vectorASecretID  = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
	vectorASecretKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
)

func vectorRequest(host, contentType, body, authorization, timestamp string, extra map[string]string) signedRequest {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("Authorization", authorization)
	h.Set("X-TC-Timestamp", timestamp)
	for k, v := range extra {
		h.Set(k, v)
	}
	return signedRequest{Method: http.MethodPost, Host: host, Header: h, Body: []byte(body)}
}

func lookupKey(id, key string) credentialLookup {
	return func(secretID string) (credential, bool) {
		if secretID != id {
			return credential{}, false
		}
		return credential{SecretKey: key}, true
	}
}

func TestVerifyTC3_vectorA(t *testing.T) {
	t.Parallel()
	const signature = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
	auth := "TC3-HMAC-SHA256 Credential=" + vectorASecretID + "/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=" + signature
	req := vectorRequest("cvm.tencentcloudapi.com", "application/json; charset=utf-8", vectorABody, auth, "1551113065", nil)

	canonical := canonicalRequest(req, "content-type;host")
	if got := sha256Hex([]byte(canonical)); got != "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031" {
		t.Fatalf("hashed canonical request = %s", got)
	}
	if got := sha256Hex(req.Body); got != "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064" {
		t.Fatalf("hashed payload = %s", got)
	}
	if got := hex.EncodeToString(hmacSHA256([]byte("TC3"+vectorASecretKey), "2019-02-25")); got != "d1308c81fe71cfd4e06437bbc067b2b8a3d2d8c0e375d547f15c41d5214b395a" {
		t.Fatalf("SecretDate = %s", got)
	}

	caller, apiErr := verifyTC3(req, time.Unix(vectorTimestamp, 0), lookupKey(vectorASecretID, vectorASecretKey))
	if apiErr != nil {
		t.Fatalf("vector A rejected: %v", apiErr)
	}
	if caller.SecretID != vectorASecretID || caller.Service != "cvm" || caller.Temporary {
		t.Fatalf("caller = %+v", caller)
	}
}

// Vector B signs x-tc-action too, with its value lowercased as the current document prescribes. Its
// key is masked in the document, so the published intermediate keys are used to check each step.
func TestVerifyTC3_vectorB(t *testing.T) {
	t.Parallel()
	req := vectorRequest("cvm.tencentcloudapi.com", "application/json; charset=utf-8", vectorABody, "", "1551113065",
		map[string]string{"X-TC-Action": "DescribeInstances"})
	canonical := canonicalRequest(req, "content-type;host;x-tc-action")
	if got := sha256Hex([]byte(canonical)); got != "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84" {
		t.Fatalf("hashed canonical request = %s\n%s", got, canonical)
	}
	secretDate, _ := hex.DecodeString("da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0")
	secretService := hmacSHA256(secretDate, "cvm")
	if got := hex.EncodeToString(secretService); got != "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f" {
		t.Fatalf("SecretService = %s", got)
	}
	secretSigning := hmacSHA256(secretService, tc3Terminal)
	if got := hex.EncodeToString(secretSigning); got != "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af" {
		t.Fatalf("SecretSigning = %s", got)
	}
	toSign := stringToSign(vectorTimestamp, "2019-02-25/cvm/tc3_request", canonical)
	if got := hex.EncodeToString(hmacSHA256(secretSigning, toSign)); got != "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f" {
		t.Fatalf("Signature = %s", got)
	}
	if err := checkSignedHeaders("content-type;host;x-tc-action"); err != nil {
		t.Fatalf("SignedHeaders with x-tc-action rejected: %v", err)
	}
}

// Vector C is a captured Go SDK v1.3.210 request.
func TestVerifyTC3_vectorC(t *testing.T) {
	t.Parallel()
	const signature = "b59f03310bba9f5caeeb899a64bd801d7ee4a3bfbe6029674db33b1c73af0d97"
	auth := "TC3-HMAC-SHA256 Credential=AKIDvectorc/2026-11-24/vod/tc3_request, SignedHeaders=content-type;host, Signature=" + signature
	req := vectorRequest("127.0.0.1:32983", "application/json", `{"MediaType":"mp4","SubAppId":1500000000}`, auth, "1795552501", nil)
	if _, apiErr := verifyTC3(req, time.Unix(1795552501+299, 0), lookupKey("AKIDvectorc", "secretkey")); apiErr != nil {
		t.Fatalf("vector C rejected: %v", apiErr)
	}
}

func TestVerifyTC3_rejections(t *testing.T) {
	t.Parallel()
	const goodSig = "b59f03310bba9f5caeeb899a64bd801d7ee4a3bfbe6029674db33b1c73af0d97"
	const body = `{"MediaType":"mp4","SubAppId":1500000000}`
	scope := "AKIDvectorc/2026-11-24/vod/tc3_request"
	authWith := func(credential, signedHeaders, sig string) string {
		return "TC3-HMAC-SHA256 Credential=" + credential + ", SignedHeaders=" + signedHeaders + ", Signature=" + sig
	}
	at := time.Unix(1795552501, 0)
	temporary := func(secretID string) (credential, bool) {
		return credential{SecretKey: "secretkey", Token: "the-token", ExpiresAt: at.Add(time.Minute), Temporary: true}, secretID == "AKIDvectorc"
	}
	tests := []struct {
		name      string
		auth      string
		timestamp string
		body      string
		token     string
		now       time.Time
		lookup    credentialLookup
		want      ErrorCode
	}{
		{name: "missing header", auth: "", want: CodeInvalidAuthorization},
		{name: "other algorithm", auth: "HMAC-SHA256 Credential=" + scope, want: CodeInvalidAuthorization},
		{name: "credential without terminal", auth: authWith("AKIDvectorc/2026-11-24/vod", "content-type;host", goodSig), want: CodeInvalidAuthorization},
		{name: "malformed scope date", auth: authWith("AKIDvectorc/24-11-2026/vod/tc3_request", "content-type;host", goodSig), want: CodeSignatureFailure},
		{name: "host not signed", auth: authWith(scope, "content-type", goodSig), want: CodeInvalidAuthorization},
		{name: "uppercase signed header", auth: authWith(scope, "Content-Type;host", goodSig), want: CodeInvalidAuthorization},
		{name: "short signature", auth: authWith(scope, "content-type;host", "abc"), want: CodeInvalidAuthorization},
		{name: "missing timestamp", timestamp: "-", want: CodeMissingParameter},
		{name: "scope date is not the timestamp's UTC date", auth: authWith("AKIDvectorc/2026-11-25/vod/tc3_request", "content-type;host", goodSig), want: CodeSignatureFailure},
		{name: "timestamp too old", now: at.Add(301 * time.Second), want: CodeSignatureExpire},
		{name: "timestamp in the future", now: at.Add(-301 * time.Second), want: CodeSignatureExpire},
		{name: "unknown SecretId", lookup: lookupKey("AKIDother", "secretkey"), want: CodeSecretIDNotFound},
		{name: "wrong key", lookup: lookupKey("AKIDvectorc", "otherkey"), want: CodeSignatureFailure},
		{name: "tampered body", body: `{"MediaType":"mp3","SubAppId":1500000000}`, want: CodeSignatureFailure},
		{name: "token with long-term key", token: "x", want: CodeTokenFailure},
		{name: "temporary key without token", lookup: temporary, want: CodeTokenFailure},
		{name: "temporary key with wrong token", lookup: temporary, token: "other", want: CodeTokenFailure},
		{name: "expired temporary key", lookup: temporary, token: "the-token", now: at.Add(2 * time.Minute), want: CodeTokenFailure},
		{name: "temporary key with its token", lookup: temporary, token: "the-token"},
		{name: "accepted", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			auth := tt.auth
			if auth == "" && tt.name != "missing header" {
				auth = authWith(scope, "content-type;host", goodSig)
			}
			timestamp := tt.timestamp
			switch timestamp {
			case "":
				timestamp = "1795552501"
			case "-":
				timestamp = ""
			}
			b := tt.body
			if b == "" {
				b = body
			}
			extra := map[string]string{}
			if tt.token != "" {
				extra["X-TC-Token"] = tt.token
			}
			now := tt.now
			if now.IsZero() {
				now = at
			}
			lookup := tt.lookup
			if lookup == nil {
				lookup = lookupKey("AKIDvectorc", "secretkey")
			}
			req := vectorRequest("127.0.0.1:32983", "application/json", b, auth, timestamp, extra)
			_, apiErr := verifyTC3(req, now, lookup)
			got := ErrorCode("")
			if apiErr != nil {
				got = apiErr.Code
			}
			if got != tt.want {
				t.Fatalf("code = %q (%v), want %q", got, apiErr, tt.want)
			}
		})
	}
}

// Signed header values are lowercased before hashing, as the algorithm and Vector B prescribe: a
// signature over the lowercased values verifies, one over the raw mixed-case values does not.
func TestVerifyTC3_hashesLowercasedHeaderValues(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		canonical string
		want      ErrorCode
	}{
		{"lowercased", "content-type:application/json\nhost:vod.example:1\nx-tc-action:applyupload\n", ""},
		{"raw", "content-type:application/json\nhost:VOD.example:1\nx-tc-action:ApplyUpload\n", CodeSignatureFailure},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := vectorRequest("VOD.example:1", "application/json", "{}", "", "1795552501",
				map[string]string{"X-TC-Action": "ApplyUpload"})
			const signed = "content-type;host;x-tc-action"
			canonical := "POST\n/\n\n" + tt.canonical + "\n" + signed + "\n" + sha256Hex([]byte("{}"))
			sig := tc3Signature("k", "2026-11-24", "vod", stringToSign(1795552501, "2026-11-24/vod/tc3_request", canonical))
			req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential=AKID/2026-11-24/vod/tc3_request, SignedHeaders="+signed+", Signature="+sig)
			_, apiErr := verifyTC3(req, time.Unix(1795552501, 0), lookupKey("AKID", "k"))
			got := ErrorCode("")
			if apiErr != nil {
				got = apiErr.Code
			}
			if got != tt.want {
				t.Fatalf("code = %q (%v), want %q", got, apiErr, tt.want)
			}
		})
	}
}
