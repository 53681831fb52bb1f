package vod

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestApplyUploadMapsRequestAndResponse(t *testing.T) {
	t.Parallel()
	api := scripted(t)
	cfg := testConfig(t, api.URL())
	cfg.SubAppID = 1500000000
	c := mustClient(t, cfg)
	expire := time.Date(2030, 1, 2, 11, 4, 5, 999, time.FixedZone("CST", 8*3600))
	class := int64(0)
	resp, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{
		MediaType: "mp4", MediaName: "clip", CoverType: "jpg", Procedure: "LongVideoPreset", ExpireTime: &expire,
		StorageRegion: "ap-chongqing", ClassID: &class, SourceContext: "src", SessionContext: "sess", ExtInfo: "ext",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ApplyUploadResponse{
		StorageBucket: "vodbucket-1250000000", StorageRegion: "ap-chongqing", VodSessionKey: "session-key-sentinel",
		MediaStoragePath: "/dir/name.mp4", CoverStoragePath: "/dir/cover.jpg", RequestID: "req-0",
		TempCertificate: TempCertificate{SecretID: "AKIDTEMPCOS", SecretKey: "cos-secret-key-sentinel", Token: "cos-token-sentinel", ExpiredTime: 1900000000},
	}
	if *resp != want {
		t.Errorf("response = %#v\nwant       %#v", *resp, want)
		t.Errorf("certificate = %q", resp.TempCertificate.SecretKey)
	}
	var params map[string]any
	if err := json.Unmarshal([]byte(api.Calls()[0].RawBody), &params); err != nil {
		t.Fatal(err)
	}
	wantParams := map[string]any{
		"MediaType": "mp4", "MediaName": "clip", "CoverType": "jpg", "Procedure": "LongVideoPreset",
		"ExpireTime": "2030-01-02T03:04:05Z", "StorageRegion": "ap-chongqing", "ClassId": float64(0),
		"SourceContext": "src", "SessionContext": "sess", "ExtInfo": "ext", "SubAppId": float64(1500000000),
	}
	if len(params) != len(wantParams) {
		t.Errorf("params = %v", params)
	}
	for k, v := range wantParams {
		if params[k] != v {
			t.Errorf("%s = %v, want %v", k, params[k], v)
		}
	}
}

func TestApplyUploadSubAppID(t *testing.T) {
	t.Parallel()
	big := uint64(1<<63 + 12345) // beyond float64 precision: must be sent exactly
	tests := []struct {
		name      string
		clientSub uint64
		reqSub    *uint64
		want      string // "" = omitted
	}{
		{"neither", 0, nil, ""},
		{"client default", 1500000001, nil, "1500000001"},
		{"request overrides", 1500000001, &big, strconv.FormatUint(big, 10)},
		{"request sends none despite the client default", 1500000001, WithoutSubAppID(), ""},
		{"request sends none, no client default", 0, WithoutSubAppID(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := scripted(t)
			cfg := testConfig(t, api.URL())
			cfg.SubAppID = tt.clientSub
			if _, err := mustClient(t, cfg).ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4", SubAppID: tt.reqSub}); err != nil {
				t.Fatal(err)
			}
			body := api.Calls()[0].RawBody
			if tt.want == "" {
				if strings.Contains(body, "SubAppId") {
					t.Errorf("body %s: SubAppId must be omitted", body)
				}
				return
			}
			if !strings.Contains(body, `"SubAppId":`+tt.want) {
				t.Errorf("body %s, want SubAppId %s", body, tt.want)
			}
		})
	}
}

func TestApplyUploadOmitsUnsetFields(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(ApplyUploadRequest{MediaType: "mp4"})
	if err != nil || string(b) != `{"MediaType":"mp4"}` {
		t.Errorf("json = %s, %v", b, err)
	}
}

func TestApplyUploadNeedsMediaType(t *testing.T) {
	t.Parallel()
	c := mustClient(t, testConfig(t, "http://127.0.0.1:1"))
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{}); ErrorCode(err) != "ClientError.MissingParameter" {
		t.Errorf("err = %v", err)
	}
}

func TestSecretsAreRedactedWhenPrinted(t *testing.T) {
	t.Parallel()
	cert := TempCertificate{SecretID: "AKIDX", SecretKey: "sk-sentinel", Token: "tok-sentinel", ExpiredTime: 5}
	resp := ApplyUploadResponse{VodSessionKey: "vsk-sentinel", TempCertificate: cert}
	for _, s := range []string{fmt.Sprint(cert), fmt.Sprintf("%+v", cert), fmt.Sprintf("%#v", cert), fmt.Sprint(resp), fmt.Sprintf("%+v", &resp), fmt.Sprintf("%#v", resp)} {
		if strings.Contains(s, "sentinel") {
			t.Errorf("printed %q", s)
		}
	}
}

// cosSignature recomputes the q-sign-algorithm=sha1 signature (COS "Request Signature") for a
// presigned request: method, decoded path, the URL's query parameters other than the signature's
// own, and the host header.
func cosSignature(secretKey, method, path string, query url.Values, host string) string {
	keyTime := query.Get("q-key-time")
	hmacHex := func(key, msg string) string {
		h := hmac.New(sha1.New, []byte(key))
		h.Write([]byte(msg))
		return hex.EncodeToString(h.Sum(nil))
	}
	var params []string
	for _, k := range strings.Split(query.Get("q-url-param-list"), ";") {
		if k != "" {
			params = append(params, k+"="+cosEscape(query.Get(k)))
		}
	}
	httpString := strings.ToLower(method) + "\n" + path + "\n" + strings.Join(params, "&") + "\nhost=" + cosEscape(host) + "\n"
	sum := sha1.Sum([]byte(httpString))
	return hmacHex(hmacHex(secretKey, keyTime), "sha1\n"+keyTime+"\n"+hex.EncodeToString(sum[:])+"\n")
}

func cosEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

func TestPresignedPutURL(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	cert := TempCertificate{SecretID: "AKIDTEMPCOS", SecretKey: "cos-secret", Token: "tok/en+=", ExpiredTime: uint64(now.Add(30 * time.Minute).Unix())}
	var got struct {
		path, body string
		query      url.Values
		host       string
	}
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.path, got.body, got.query, got.host = r.URL.Path, string(body), r.URL.Query(), r.Host
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(store.Close)

	cfg := testConfig(t, "http://127.0.0.1:1")
	cfg.Clock = func() time.Time { return now }
	c := mustClient(t, cfg)
	presigned, err := c.PresignedPutURL(context.Background(), store.URL, "/dir/my clip+1.mp4", cert)
	if err != nil {
		t.Fatal(err)
	}
	// What curl --upload-file does: PUT the bytes to the URL as given, with no other credentials.
	req, _ := http.NewRequest(http.MethodPut, presigned, strings.NewReader("media bytes"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if got.path != "/dir/my clip+1.mp4" || got.body != "media bytes" {
		t.Errorf("PUT %q with %q", got.path, got.body)
	}
	q := got.query
	if q.Get("x-cos-security-token") != cert.Token || q.Get("q-ak") != cert.SecretID || q.Get("q-sign-algorithm") != "sha1" {
		t.Errorf("query = %v", q)
	}
	wantTime := "1800000000;" + strconv.FormatUint(cert.ExpiredTime, 10)
	if q.Get("q-key-time") != wantTime || q.Get("q-sign-time") != wantTime {
		t.Errorf("key time %q, want %q (valid until the certificate expires)", q.Get("q-key-time"), wantTime)
	}
	if q.Get("q-header-list") != "host" || q.Get("q-url-param-list") != "x-cos-security-token" {
		t.Errorf("signed headers %q params %q", q.Get("q-header-list"), q.Get("q-url-param-list"))
	}
	if want := cosSignature(cert.SecretKey, http.MethodPut, got.path, q, got.host); q.Get("q-signature") != want {
		t.Errorf("signature %s, want %s", q.Get("q-signature"), want)
	}
	if strings.Contains(presigned, cert.SecretKey) {
		t.Error("the URL must not contain the secret key")
	}
}

func TestPresignedPutURLRejects(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	cfg := testConfig(t, "http://127.0.0.1:1")
	cfg.Clock = func() time.Time { return now }
	c := mustClient(t, cfg)
	valid := TempCertificate{SecretID: "AKID", SecretKey: "k", Token: "t", ExpiredTime: uint64(now.Unix() + 60)}
	expired := valid
	expired.ExpiredTime = uint64(now.Unix())
	tests := []struct {
		name, bucketURL, key string
		cert                 TempCertificate
		want                 string
	}{
		{"expired", "http://127.0.0.1:9000", "a.mp4", expired, "expired"},
		{"no key", "http://127.0.0.1:9000", "/", valid, "empty"},
		{"bad url", "127.0.0.1:9000", "a.mp4", valid, "bucket URL"},
		{"no secret", "http://127.0.0.1:9000", "a.mp4", TempCertificate{ExpiredTime: valid.ExpiredTime}, "SecretKey"},
	}
	for _, tt := range tests {
		_, err := c.PresignedPutURL(context.Background(), tt.bucketURL, tt.key, tt.cert)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
