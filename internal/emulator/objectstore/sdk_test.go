package objectstore

import (
	"bytes"
	"context"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

func crc64String(data []byte) string {
	return strconv.FormatUint(crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)), 10)
}

func TestCRC64_checkValue(t *testing.T) {
	t.Parallel()
	b := Blob{CRC64: crc64.Checksum([]byte("123456789"), crc64Table)}
	if got := b.CRC64String(); got != "11051210869376104954" {
		t.Errorf("CRC-64/ECMA(123456789) = %s", got)
	}
}

// TestSDK_putHeadGet drives the store with the real cos-go-sdk-v5 client,
// whose Put fails unless x-cos-hash-crc64ecma matches (Conf.EnableCRC).
func TestSDK_putHeadGet(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	if !c.Conf.EnableCRC {
		t.Fatal("the SDK default should verify CRC-64")
	}
	ctx := t.Context()
	for _, key := range []string{writableKey, writableKey2, "a/b/c"} {
		data := []byte("content of " + key)
		resp, err := c.Object.Put(ctx, key, bytes.NewReader(data), &cos.ObjectPutOptions{
			ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentType: "video/mp4", XCosMetaXXX: &http.Header{"X-Cos-Meta-Origin": {"test"}}},
		})
		if err != nil {
			t.Fatalf("Put %q: %v", key, err)
		}
		wantETag := `"` + md5Hex(data) + `"`
		if got := resp.Header.Get("ETag"); got != wantETag {
			t.Errorf("Put %q ETag = %s, want %s", key, got, wantETag)
		}
		if got := resp.Header.Get("X-Cos-Hash-Crc64ecma"); got != crc64String(data) {
			t.Errorf("Put %q CRC = %s, want %s", key, got, crc64String(data))
		}

		head, err := c.Object.Head(ctx, key, nil)
		if err != nil {
			t.Fatalf("Head %q: %v", key, err)
		}
		for name, want := range map[string]string{
			"Content-Length": strconv.Itoa(len(data)), "ETag": wantETag, "Content-Type": "video/mp4",
			"X-Cos-Hash-Crc64ecma": crc64String(data), "X-Cos-Meta-Origin": "test",
		} {
			if got := head.Header.Get(name); got != want {
				t.Errorf("Head %q %s = %q, want %q", key, name, got, want)
			}
		}
		if _, err := http.ParseTime(head.Header.Get("Last-Modified")); err != nil {
			t.Errorf("Head %q Last-Modified: %v", key, err)
		}

		get, err := c.Object.Get(ctx, key, nil)
		if err != nil {
			t.Fatalf("Get %q: %v", key, err)
		}
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if !bytes.Equal(got, data) {
			t.Errorf("Get %q = %q, want %q", key, got, data)
		}
		if stored, ok := f.store.Object(testBucket, key); !ok || !bytes.Equal(stored, data) {
			t.Errorf("Object(%q) = %q, %v", key, stored, ok)
		}
	}

	// The SDK sends "/" in keys as %2F; the store must decode the path.
	var sawEncodedSlash bool
	for _, r := range f.requests() {
		if strings.HasPrefix(r.RequestURI, "/a%2Fb%2Fc") && r.Path == "/a/b/c" {
			sawEncodedSlash = true
		}
	}
	if !sawEncodedSlash {
		t.Errorf("no request for /a%%2Fb%%2Fc seen: %+v", f.requests())
	}

	infos := f.store.Objects()
	if len(infos) != 3 {
		t.Fatalf("Objects() = %+v", infos)
	}
	if infos[0].Key != "a/b/c" || infos[0].Bucket != testBucket || infos[0].Size != int64(len("content of a/b/c")) {
		t.Errorf("Objects()[0] = %+v", infos[0])
	}
}

func TestSDK_overwriteReplacesContent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	for _, content := range []string{"first version", "second"} {
		if _, err := c.Object.Put(ctx, writableKey, strings.NewReader(content), nil); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if data, _ := f.store.Object(testBucket, writableKey); string(data) != "second" {
		t.Errorf("content = %q", data)
	}
	if n := len(f.store.Objects()); n != 1 {
		t.Errorf("%d objects", n)
	}
}

func TestSDK_longTermKeyReadsButCannotWrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := t.Context()
	if _, err := f.client(tempID, tempKey, tempToken).Object.Put(ctx, writableKey, strings.NewReader("x"), nil); err != nil {
		t.Fatal(err)
	}
	reader := f.client(longTermID, longTermKey, "")
	if _, err := reader.Object.Head(ctx, writableKey, nil); err != nil {
		t.Errorf("Head with ReadAll grant: %v", err)
	}
	_, err := reader.Object.Put(ctx, writableKey, strings.NewReader("y"), nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
}

func TestSDK_missingObject(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(longTermID, longTermKey, "")
	ctx := t.Context()

	_, err := c.Object.Get(ctx, "nothing-here.mp4", nil)
	assertSDKError(t, err, http.StatusNotFound, ErrNoSuchKey)

	_, err = c.Object.Head(ctx, "nothing-here.mp4", nil)
	if !cos.IsNotFoundError(err) {
		t.Errorf("Head error = %v, want not found", err)
	}
	ok, err := c.Object.IsExist(ctx, "nothing-here.mp4")
	if err != nil || ok {
		t.Errorf("IsExist = %v, %v", ok, err)
	}
}

// TestSDK_rejections covers every 403 path through the real client.
func TestSDK_rejections(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	late := newFixture(t, func() time.Time { return time.Now().Add(2 * time.Hour) })
	cases := []struct {
		name   string
		client *cos.Client
		op     func(context.Context, *cos.Client) error
		code   ErrorCode
	}{
		{"unknown SecretId", f.client("AKIDUNKNOWN", tempKey, tempToken), put(writableKey), ErrInvalidAccessKeyID},
		{"wrong SecretKey", f.client(tempID, "not-the-key", tempToken), put(writableKey), ErrSignatureDoesNotMatch},
		{"wrong token", f.client(tempID, tempKey, "not-the-token"), put(writableKey), ErrInvalidAccessKeyID},
		{"missing token", f.client(tempID, tempKey, ""), put(writableKey), ErrInvalidAccessKeyID},
		{"token for a long-term key", f.client(longTermID, longTermKey, "some-token"), get(writableKey), ErrInvalidAccessKeyID},
		{"expired credential", f.client(expiredID, expiredKey, expiredToken), put(writableKey), ErrAccessDenied},
		{"signature window over", late.client(longTermID, longTermKey, ""), get(writableKey), ErrAccessDenied},
		{"write to a foreign key", f.client(tempID, tempKey, tempToken), put(foreignKey), ErrAccessDenied},
		{"read of a foreign key", f.client(tempID, tempKey, tempToken), get(foreignKey), ErrAccessDenied},
		{"bucket in Host differs", f.hostClient("other-1250000000.cos.ap-guangzhou.myqcloud.com", tempID, tempKey, tempToken), put(writableKey), ErrAccessDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertSDKError(t, tc.op(t.Context(), tc.client), http.StatusForbidden, tc.code)
		})
	}
	if n := len(f.store.Objects()) + len(late.store.Objects()); n != 0 {
		t.Errorf("rejected requests stored %d objects", n)
	}
}

func TestSDK_bucketHostMatchingGrantIsAccepted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.hostClient(hostForBucket, tempID, tempKey, tempToken)
	if _, err := c.Object.Put(t.Context(), writableKey, strings.NewReader("via bucket host"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if data, _ := f.store.Object(testBucket, writableKey); string(data) != "via bucket host" {
		t.Errorf("stored %q", data)
	}
}

func TestSDK_unsupportedOperations(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// Listing the bucket is a read a ReadAll credential may do, but the emulator does not offer it.
	c := f.client(longTermID, longTermKey, "")
	_, _, err := c.Bucket.Get(t.Context(), nil)
	assertSDKError(t, err, http.StatusNotImplemented, ErrNotImplemented)
	// Upload credentials reach their keys only: any bucket operation is denied.
	upload := f.client(tempID, tempKey, tempToken)
	_, err = upload.Bucket.Put(t.Context(), nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
	_, _, err = upload.Bucket.Get(t.Context(), nil)
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
}

// DELETE Object removes a writable key; a missing key is no error, and keys the credential may only
// read (or not reach at all) are refused.
func TestSDK_deleteObject(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	ctx := t.Context()
	if _, err := c.Object.Put(ctx, writableKey, strings.NewReader("doomed"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if _, err := c.Object.Delete(ctx, writableKey); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, ok := f.store.Object(testBucket, writableKey); ok {
		t.Error("the object is still there after DELETE")
	}
	if _, err := c.Object.Delete(ctx, writableKey); err != nil {
		t.Errorf("deleting a missing key: %v, want success as COS answers", err)
	}
	_, err := c.Object.Delete(ctx, "someone/else.mp4")
	assertSDKError(t, err, http.StatusForbidden, ErrAccessDenied)
}

func put(key string) func(context.Context, *cos.Client) error {
	return func(ctx context.Context, c *cos.Client) error {
		_, err := c.Object.Put(ctx, key, strings.NewReader("data"), nil)
		return err
	}
}

func get(key string) func(context.Context, *cos.Client) error {
	return func(ctx context.Context, c *cos.Client) error {
		_, err := c.Object.Get(ctx, key, nil)
		return err
	}
}
