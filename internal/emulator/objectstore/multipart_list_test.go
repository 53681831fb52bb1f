package objectstore

import (
	"net/http"
	"testing"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

func TestListMultipartUploads(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := f.client(tempID, tempKey, tempToken)
	first := initiate(t, c, writableKey)
	second := initiate(t, c, writableKey)
	other := initiate(t, c, "a/b/c")

	listed, _, err := c.Bucket.ListMultipartUploads(t.Context(), &cos.ListMultipartUploadsOptions{Prefix: writableKey})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	if listed.Bucket != testBucket || len(listed.Uploads) != 2 ||
		listed.Uploads[0].UploadID != first || listed.Uploads[1].UploadID != second || listed.Uploads[0].Key != writableKey {
		t.Fatalf("listed = %+v, want the two uploads of %q, oldest first", listed, writableKey)
	}
	all, _, err := c.Bucket.ListMultipartUploads(t.Context(), nil)
	if err != nil || len(all.Uploads) != 3 || all.Uploads[2].UploadID != other {
		t.Fatalf("without a prefix: %+v, %v", all, err)
	}

	// A reader sees no upload it could not write to.
	reader := f.client(longTermID, longTermKey, "")
	if listed, _, err := reader.Bucket.ListMultipartUploads(t.Context(), nil); err != nil || len(listed.Uploads) != 0 {
		t.Errorf("long-term reader: %+v, %v", listed, err)
	}
	// GET ?uploads on an object key stays unimplemented.
	resp := rawMultipart(t, f, http.MethodGet, writableKey, "uploads", nil, nil)
	assertCOSError(t, resp, http.StatusNotImplemented, ErrNotImplemented)
}
