package vod_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// A commit whose reply was lost is found again by its storage path, among media of the same name.
func TestEmulatorFindUploadedMediaAfterLostCommit(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	path, _ := writeRandomFile(t, 1000)
	ctx := context.Background()

	// Another media file of the same name, committed normally.
	other, err := s.client.ApplyUpload(ctx, &vod.ApplyUploadRequest{MediaType: "mp4", MediaName: "clip"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.UploadFile(ctx, other.TempCertificate, s.bucketURL, other.MediaStoragePath, path, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CommitUpload(ctx, &vod.CommitUploadRequest{VodSessionKey: other.VodSessionKey}); err != nil {
		t.Fatal(err)
	}

	if _, err := s.upload(ctx, path, vod.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	s.srv.InjectFault(emulator.Fault{Action: "CommitUpload", Times: 1, AfterDispatch: true,
		NonJSONBody: "<html>502 Bad Gateway</html>"})
	started := time.Now()
	_, err = s.client.CommitUpload(ctx, &vod.CommitUploadRequest{VodSessionKey: s.apply.VodSessionKey})
	var unknown *vod.CommitOutcomeUnknownError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want an unknown outcome", err)
	}

	query := vod.UploadedMediaQuery{StoragePath: s.apply.MediaStoragePath, Name: "clip",
		CreatedAfter: started.Add(-time.Minute), CreatedBefore: time.Now().Add(time.Minute)}
	info, err := s.client.FindUploadedMedia(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, m := range s.srv.Media() {
		if "/"+m.MediaKey == s.apply.MediaStoragePath {
			want = m.FileID
		}
	}
	if info.FileID != want || info.BasicInfo.Name != "clip" || info.MetaData == nil || info.MetaData.Size != 1000 {
		t.Fatalf("found %+v, want %s with its basic info and metadata", info, want)
	}

	// Outside the creation window, or under another name, nothing matches.
	for name, q := range map[string]vod.UploadedMediaQuery{
		"earlier window": {StoragePath: query.StoragePath, CreatedAfter: started.Add(-time.Hour), CreatedBefore: started.Add(-30 * time.Minute)},
		"other name":     {StoragePath: query.StoragePath, Name: "trailer", CreatedAfter: query.CreatedAfter, CreatedBefore: query.CreatedBefore},
	} {
		if _, err := s.client.FindUploadedMedia(ctx, q); !errors.Is(err, vod.ErrMediaNotFound) {
			t.Errorf("%s: err = %v, want ErrMediaNotFound", name, err)
		}
	}
}
