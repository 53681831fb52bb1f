package emulator

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestApplyUpload_validation(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, SubAppIDs: []uint64{1500000000, 1500000001}, ClassIDs: []int64{7}})
	future := clock.Now().Add(time.Hour).Format(time.RFC3339)
	past := clock.Now().Add(-time.Second).Format(time.RFC3339)
	tests := []struct {
		name string
		body string
		want ErrorCode
	}{
		{"minimal", `{"MediaType":"mp4"}`, ""},
		{"uppercase media type", `{"MediaType":"MP4"}`, ""},
		{"audio type", `{"MediaType":"flac"}`, ""},
		{"every optional parameter", `{"MediaType":"mov","SubAppId":1500000001,"MediaName":"clip","CoverType":"heif","Procedure":"LongVideoPreset","ExpireTime":"` + future + `","StorageRegion":"ap-singapore","ClassId":7,"SourceContext":"s","SessionContext":"c","ExtInfo":"x"}`, ""},
		{"missing MediaType", `{}`, CodeMissingParameter},
		{"null MediaType", `{"MediaType":null}`, CodeMissingParameter},
		{"empty MediaType", `{"MediaType":""}`, CodeMissingParameter},
		{"unknown MediaType", `{"MediaType":"exe"}`, CodeInvalidMediaType},
		{"image as MediaType", `{"MediaType":"jpg"}`, CodeInvalidMediaType},
		{"dotted MediaType", `{"MediaType":".mp4"}`, CodeInvalidMediaType},
		{"tif cover", `{"MediaType":"mp4","CoverType":"TIF"}`, ""},
		{"unknown cover", `{"MediaType":"mp4","CoverType":"webp"}`, CodeInvalidCoverType},
		{"video as cover", `{"MediaType":"mp4","CoverType":"mp4"}`, CodeInvalidCoverType},
		{"ExpireTime with offset", `{"MediaType":"mp4","ExpireTime":"` + clock.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339) + `"}`, ""},
		{"ExpireTime not ISO 8601", `{"MediaType":"mp4","ExpireTime":"2030-01-01 00:00:00"}`, CodeInvalidExpireTime},
		{"ExpireTime without zone", `{"MediaType":"mp4","ExpireTime":"2030-01-01T00:00:00"}`, CodeInvalidExpireTime},
		{"ExpireTime in the past", `{"MediaType":"mp4","ExpireTime":"` + past + `"}`, CodeInvalidExpireTime},
		{"SourceContext 250 multibyte characters", `{"MediaType":"mp4","SourceContext":"` + strings.Repeat("视", 250) + `"}`, ""},
		{"SourceContext 251 characters", `{"MediaType":"mp4","SourceContext":"` + strings.Repeat("a", 251) + `"}`, CodeInvalidParameterValue},
		{"SessionContext 1000 multibyte characters", `{"MediaType":"mp4","SessionContext":"` + strings.Repeat("视", 1000) + `"}`, ""},
		{"SessionContext 1001 characters", `{"MediaType":"mp4","SessionContext":"` + strings.Repeat("a", 1001) + `"}`, CodeSessionContextTooLong},
		{"ClassId 0", `{"MediaType":"mp4","ClassId":0}`, ""},
		{"unknown ClassId", `{"MediaType":"mp4","ClassId":8}`, CodeInvalidClassID},
		{"storage region not enabled", `{"MediaType":"mp4","StorageRegion":"eu-moscow"}`, CodeInvalidStorageRegion},
		{"unknown procedure", `{"MediaType":"mp4","Procedure":"NoSuchFlow"}`, CodeProcedureNameNotExist},
		{"unknown SubAppId", `{"MediaType":"mp4","SubAppId":42}`, CodeInvalidSubAppID},
		{"MediaName with a newline", `{"MediaType":"mp4","MediaName":"clip\n2"}`, CodeInvalidParameterValue},
		{"MediaName with a tab", `{"MediaType":"mp4","MediaName":"clip\t2"}`, CodeInvalidParameterValue},
		{"MediaName with DEL", `{"MediaType":"mp4","MediaName":"clip\u007f"}`, CodeInvalidParameterValue},
		{"MediaName with NUL", `{"MediaType":"mp4","MediaName":"clip\u0000"}`, CodeInvalidParameterValue},
		{"MediaName with spaces and brackets", `{"MediaType":"mp4","MediaName":"presigned clip (1)"}`, ""},
		{"MediaStoragePath in FileID mode", `{"MediaType":"mp4","MediaStoragePath":"/a/b.mp4"}`, CodeInvalidMediaStoragePath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantCode(t, call(t, srv, apiRequest{Body: tt.body}), tt.want)
		})
	}
}

func TestApplyUpload_requireSubAppID(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{RequireSubAppID: true})
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`}), CodeInvalidSubAppID)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","SubAppId":1}`}), CodeInvalidSubAppID)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","SubAppId":1500000000}`}), "")
}

type applyUploadReply struct {
	StorageBucket    string
	StorageRegion    string
	VodSessionKey    string
	MediaStoragePath string
	CoverStoragePath *string
	TempCertificate  struct {
		SecretId    string
		SecretKey   string
		Token       string
		ExpiredTime uint64
	}
}

func TestApplyUpload_response(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, SessionTTL: 30 * time.Minute})
	reply := call(t, srv, apiRequest{Body: `{"MediaType":"MP4","MediaName":"My Holiday 2026!","CoverType":"JPG","SubAppId":1500000000,"SourceContext":"src"}`})
	wantCode(t, reply, "")
	var got applyUploadReply
	reply.decode(t, &got)

	if got.StorageBucket != "vodgzp1500000000-1250000000" || got.StorageRegion != "ap-guangzhou" {
		t.Fatalf("bucket/region = %s %s", got.StorageBucket, got.StorageRegion)
	}
	mediaPath := regexp.MustCompile(`^/1500000000/([0-9a-f]{24})/My Holiday 2026!\.mp4$`)
	m := mediaPath.FindStringSubmatch(got.MediaStoragePath)
	if m == nil {
		t.Fatalf("MediaStoragePath = %q", got.MediaStoragePath)
	}
	if got.CoverStoragePath == nil || *got.CoverStoragePath != "/1500000000/"+m[1]+"/cover.jpg" {
		t.Fatalf("CoverStoragePath = %v", got.CoverStoragePath)
	}
	cert := got.TempCertificate
	if !strings.HasPrefix(cert.SecretId, "AKID") || len(cert.SecretKey) < 20 || len(cert.Token) < 40 || got.VodSessionKey == "" {
		t.Fatalf("certificate/session key look wrong: %+v %q", cert, got.VodSessionKey)
	}
	if want := uint64(clock.Now().Add(30 * time.Minute).Unix()); cert.ExpiredTime != want {
		t.Fatalf("ExpiredTime = %d, want %d", cert.ExpiredTime, want)
	}

	sessions := srv.Sessions()
	if len(sessions) != 1 {
		t.Fatalf("Sessions = %d", len(sessions))
	}
	s := sessions[0]
	if s.RequestID != reply.RequestID || s.VodSessionKey != got.VodSessionKey || s.TempCertificate.SecretID != cert.SecretId ||
		s.Request.SourceContext != "src" || s.SubAppID != 1500000000 || !s.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("session = %+v", s)
	}

	// The object store is granted exactly the two keys, in the session's bucket, until expiry.
	grant, ok := srv.authorizeObjectAccess(cert.SecretId)
	if !ok || grant.Bucket != got.StorageBucket || grant.Token != cert.Token || grant.SecretKey != cert.SecretKey || grant.ReadAll {
		t.Fatalf("grant = %+v", grant)
	}
	wantKeys := []string{got.MediaStoragePath[1:], (*got.CoverStoragePath)[1:]}
	if strings.Join(grant.WritableKeys, ",") != strings.Join(wantKeys, ",") {
		t.Fatalf("WritableKeys = %v, want %v", grant.WritableKeys, wantKeys)
	}
	if grant.ExpiresAt.Unix() != int64(cert.ExpiredTime) {
		t.Fatalf("grant expiry = %s", grant.ExpiresAt)
	}
	// The COS temporary key is not an API key.
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4"}`, SecretID: cert.SecretId, SecretKey: cert.SecretKey, Token: cert.Token}), CodeSecretIDNotFound)
}

func TestApplyUpload_defaultsAndDistinctSessions(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{1500000009}, StorageRegions: []string{"ap-singapore"}, DefaultStorageRegion: "ap-singapore"})
	first := call(t, srv, apiRequest{Body: `{"MediaType":"mp3","MediaName":"视频"}`})
	wantCode(t, first, "")
	var a applyUploadReply
	first.decode(t, &a)
	if a.StorageBucket != "vodsgp1500000009-1250000000" || a.StorageRegion != "ap-singapore" {
		t.Fatalf("bucket/region = %s %s", a.StorageBucket, a.StorageRegion)
	}
	if !strings.HasSuffix(a.MediaStoragePath, "/视频.mp3") || a.CoverStoragePath != nil {
		t.Fatalf("paths = %q %v", a.MediaStoragePath, a.CoverStoragePath)
	}
	second := call(t, srv, apiRequest{Body: `{"MediaType":"mp3"}`})
	var b applyUploadReply
	second.decode(t, &b)
	if !strings.HasSuffix(b.MediaStoragePath, "/f0.mp3") {
		t.Fatalf("path without a media name = %q, want f0.mp3", b.MediaStoragePath)
	}
	if a.MediaStoragePath == b.MediaStoragePath || a.VodSessionKey == b.VodSessionKey || a.TempCertificate.SecretId == b.TempCertificate.SecretId {
		t.Fatal("two sessions share a path, session key or SecretId")
	}
	if a.StorageBucket != b.StorageBucket {
		t.Fatal("the bucket of one application and region must be stable")
	}
}

func TestObjectBaseName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("视", 100)
	for in, want := range map[string]string{
		"":                   "f0",
		"clip":               "clip",
		"presigned clip (1)": "presigned clip (1)",
		"视频":                 "视频",
		"name.mp4":           "name.mp4",
		"100% & more+":       "100%25 & more+",
		"../../etc":          "..%2F..%2Fetc",
		long:                 strings.Repeat("视", maxMediaNameChars),
	} {
		if got := objectBaseName(in); got != want {
			t.Errorf("objectBaseName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := regionCode("xx-newregion-1"); got != "xxnewregion1" {
		t.Errorf("regionCode = %q", got)
	}
	if got := (&Server{opts: Options{AppID: 7}}).bucketName("ap-chongqing", 3); got != "vodcqp3-7" {
		t.Errorf("bucketName = %q", got)
	}
}

// The refusal of a control character names the parameter and the character.
func TestApplyUpload_controlCharacterMessageNamesMediaName(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	reply := call(t, srv, apiRequest{Body: `{"MediaType":"mp4","MediaName":"clip\n"}`})
	wantCode(t, reply, CodeInvalidParameterValue)
	if !strings.Contains(reply.Message, "MediaName") || !strings.Contains(reply.Message, "U+000A") {
		t.Fatalf("message %q does not name MediaName and the character", reply.Message)
	}
	if len(srv.Sessions()) != 0 {
		t.Fatal("a session was minted for a refused name")
	}
}
