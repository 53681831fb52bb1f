package objectstore

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Signature vectors: two from the COS "Request Signature" documentation (product 436, doc 7778) and one
// from cos-go-sdk-v5's auth_test.go.

const (
	docSecretID  = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"
	docSecretKey = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"
	docHost      = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"
	docBucket    = "examplebucket-1250000000"
	docKey       = "exampleobject(腾讯云)"
)

func TestCOSEncode(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"AZaz09-_.~":         "AZaz09-_.~",
		"a b+c/d":            "a%20b%2Bc%2Fd",
		"!'()*":              "%21%27%28%29%2A",
		"max-age=600":        "max-age%3D600",
		"腾":                  "%E8%85%BE",
		`uin="100000000011"`: "uin%3D%22100000000011%22",
	}
	for in, want := range cases {
		if got := cosEncode(in); got != want {
			t.Errorf("cosEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignature_docPutVector(t *testing.T) {
	t.Parallel()
	const keyTime = "1557989151;1557996351"
	c := canonicalRequest{
		Method: "PUT",
		Path:   "/" + docKey,
		Params: map[string][]string{},
		Headers: map[string][]string{
			"date":             {"Thu, 16 May 2019 06:45:51 GMT"},
			"host":             {docHost},
			"content-type":     {"text/plain"},
			"content-length":   {"13"},
			"content-md5":      {"mQ/fVh815F3k6TAUm8m0eg=="},
			"x-cos-acl":        {"private"},
			"x-cos-grant-read": {`uin="100000000011"`},
		},
	}
	if got, want := signKey(docSecretKey, keyTime), "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f"; got != want {
		t.Errorf("SignKey = %s, want %s", got, want)
	}
	if got, want := sha1Hex(c.httpString()), "8b2751e77f43a0995d6e9eb9477f4b685cca4172"; got != want {
		t.Errorf("SHA1(HttpString) = %s, want %s\nHttpString:\n%s", got, want, c.httpString())
	}
	if got, want := computeSignature(docSecretKey, keyTime, c), "3b8851a11a569213c17ba8fa7dcf2abec6935172"; got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}

func TestSignature_docGetVector(t *testing.T) {
	t.Parallel()
	const keyTime = "1557989753;1557996953"
	c := canonicalRequest{
		Method: "GET",
		Path:   "/" + docKey,
		Params: map[string][]string{
			"response-content-type":  {"application/octet-stream"},
			"response-cache-control": {"max-age=600"},
		},
		Headers: map[string][]string{
			"date": {"Thu, 16 May 2019 06:55:53 GMT"},
			"host": {docHost},
		},
	}
	if got, want := signKey(docSecretKey, keyTime), "937914bf490e9e8c189836aad2052e4feeb35eaf"; got != want {
		t.Errorf("SignKey = %s, want %s", got, want)
	}
	if got, want := sha1Hex(c.httpString()), "54ecfe22f59d3514fdc764b87a32d8133ea611e6"; got != want {
		t.Errorf("SHA1(HttpString) = %s, want %s\nHttpString:\n%s", got, want, c.httpString())
	}
	if got, want := computeSignature(docSecretKey, keyTime, c), "01681b8c9d798a678e43b685a9f1bba0f6c0e012"; got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}

func TestSignature_sdkVector(t *testing.T) {
	t.Parallel()
	c := canonicalRequest{
		Method: "PUT",
		Path:   "/testfile2",
		Params: map[string][]string{},
		Headers: map[string][]string{
			"host":                {"testbucket-125000000.cos.ap-guangzhou.myqcloud.com"},
			"x-cos-content-sha1":  {"db8ac1c259eb89d4a131b253bacfca5f319d54f2"},
			"x-cos-stroage-class": {"nearline"},
		},
	}
	got := computeSignature("AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM", "1480932292;1481012292", c)
	if want := "ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a"; got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}

// docGrantStore serves the document vectors' account at a clock inside their windows.
func docGrantStore(t *testing.T, now time.Time) *Store {
	t.Helper()
	return newTestStore(t, Options{
		Clock: func() time.Time { return now },
		Authorize: func(id string) (Grant, bool) {
			if id != docSecretID {
				return Grant{}, false
			}
			return Grant{SecretKey: docSecretKey, Bucket: docBucket, WritableKeys: []string{docKey}}, true
		},
	})
}

// docPutRequest is the PUT of the document vector, byte for byte as published.
func docPutRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPut, "http://"+docHost+"/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)", strings.NewReader("ObjectContent"))
	r.Header.Set("Date", "Thu, 16 May 2019 06:45:51 GMT")
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("Content-Length", "13")
	r.Header.Set("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg==")
	r.Header.Set("x-cos-acl", "private")
	r.Header.Set("x-cos-grant-read", `uin="100000000011"`)
	r.Header.Set("Authorization", "q-sign-algorithm=sha1&q-ak="+docSecretID+
		"&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351"+
		"&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read"+
		"&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172")
	return r
}

func TestStore_acceptsDocPutVector(t *testing.T) {
	t.Parallel()
	s := docGrantStore(t, time.Unix(1557989200, 0))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, docPutRequest())
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, body %s", w.Code, w.Body)
	}
	if got, want := w.Header().Get("ETag"), `"990fdf561f35e45de4e930149bc9b47a"`; got != want {
		t.Errorf("ETag = %s, want %s", got, want)
	}
	data, ok := s.Object(docBucket, docKey)
	if !ok || string(data) != "ObjectContent" {
		t.Errorf("stored %q, %v", data, ok)
	}
}

func TestStore_rejectsDocPutVectorOutsideWindow(t *testing.T) {
	t.Parallel()
	for name, now := range map[string]time.Time{
		"expired":    time.Unix(1557996352, 0),
		"not yet":    time.Unix(1557989150, 0),
		"far future": time.Unix(1900000000, 0),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := docGrantStore(t, now)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, docPutRequest())
			assertCOSError(t, w.Result(), http.StatusForbidden, ErrAccessDenied)
		})
	}
}

func TestStore_rejectsTamperedDocPutVector(t *testing.T) {
	t.Parallel()
	tamper := map[string]func(r *http.Request){
		"signed header changed": func(r *http.Request) { r.Header.Set("x-cos-acl", "public-read") },
		"signed header removed": func(r *http.Request) { r.Header.Del("Date") },
		"method changed":        func(r *http.Request) { r.Method = http.MethodPost },
		"signature changed": func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "3b8851a1", "3b8851a2", 1))
		},
		"extra signed param missing": func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "q-url-param-list=", "q-url-param-list=uploads", 1))
		},
	}
	for name, change := range tamper {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := docGrantStore(t, time.Unix(1557989200, 0))
			r := docPutRequest()
			change(r)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			assertCOSError(t, w.Result(), http.StatusForbidden, ErrSignatureDoesNotMatch)
		})
	}
}

func TestParseQuery_acceptsLiteralSemicolons(t *testing.T) {
	t.Parallel()
	got, err := parseQuery("q-header-list=host;x-cos-acl&uploads&a+b=c%2Bd")
	if err != nil {
		t.Fatal(err)
	}
	want := []queryParam{{"q-header-list", "host;x-cos-acl"}, {"uploads", ""}, {"a b", "c+d"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("param %d = %v, want %v", i, got[i], want[i])
		}
	}
}
