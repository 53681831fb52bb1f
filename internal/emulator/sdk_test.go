package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// These tests talk to the emulator with the real SDKs, proving that their requests (signature,
// headers, body encoding) are accepted and their parsers understand the replies. The emulator's own
// code never imports them.

func sdkClient(t *testing.T, srv *Server, cred common.CredentialIface) *common.Client {
	t.Helper()
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = strings.TrimPrefix(srv.URL(), "http://")
	cpf.HttpProfile.Scheme = "HTTP"
	cpf.Language = "en-US"
	return common.NewCommonClient(cred, "ap-guangzhou", cpf)
}

func sdkCall(client *common.Client, service, version, action string, params map[string]any, dst any) error {
	req := tchttp.NewCommonRequest(service, version, action)
	if err := req.SetActionParameters(params); err != nil {
		return err
	}
	resp := tchttp.NewCommonResponse()
	if err := client.Send(req, resp); err != nil {
		return err
	}
	var envelope struct{ Response json.RawMessage }
	if err := json.Unmarshal(resp.GetBody(), &envelope); err != nil {
		return err
	}
	return json.Unmarshal(envelope.Response, dst)
}

func TestSDK_applyUploadThenPutObject(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	client := sdkClient(t, srv, common.NewCredential(DefaultSecretID, DefaultSecretKey))

	var upload applyUploadReply
	err := sdkCall(client, ServiceVOD, VersionVOD, "ApplyUpload",
		map[string]any{"MediaType": "mp4", "SubAppId": 1500000000, "MediaName": "presigned clip (1) 视频+%", "CoverType": "jpg"}, &upload)
	if err != nil {
		t.Fatalf("ApplyUpload via SDK: %v", err)
	}
	if upload.StorageBucket == "" || upload.TempCertificate.Token == "" {
		t.Fatalf("reply = %+v", upload)
	}

	// Upload the media with cos-go-sdk-v5 and the temporary certificate, as the provider will.
	base, _ := url.Parse(srv.URL())
	cosClient := cos.NewClient(&cos.BaseURL{BucketURL: base}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID: upload.TempCertificate.SecretId, SecretKey: upload.TempCertificate.SecretKey, SessionToken: upload.TempCertificate.Token,
	}})
	content := []byte("fake mp4 bytes")
	key := upload.MediaStoragePath[1:]
	if !strings.HasSuffix(key, "/presigned clip (1) 视频+%25.mp4") {
		t.Fatalf("MediaStoragePath = %q, want the media name kept as its file name", upload.MediaStoragePath)
	}
	if _, err := cosClient.Object.Put(context.Background(), key, bytes.NewReader(content), nil); err != nil {
		t.Fatalf("COS Put: %v", err)
	}
	if got, ok := srv.Object(upload.StorageBucket, key); !ok || !bytes.Equal(got, content) {
		t.Fatalf("stored object = %q, %v", got, ok)
	}
	// The temporary key may not write anywhere else.
	if _, err := cosClient.Object.Put(context.Background(), "elsewhere.mp4", bytes.NewReader(content), nil); err == nil {
		t.Fatal("COS Put outside the session's keys succeeded")
	}
	// Nor touch the bucket itself: a PUT to the bucket root is denied, not an unimplemented operation.
	_, err = cosClient.Bucket.Put(context.Background(), nil)
	var cosErr *cos.ErrorResponse
	if !errors.As(err, &cosErr) || cosErr.Response.StatusCode != http.StatusForbidden || cosErr.Code != "AccessDenied" {
		t.Fatalf("PUT bucket with upload credentials: %v, want 403 AccessDenied", err)
	}
	status, body := getURL(t, srv.URL()+"/_emulator/objects")
	if status != http.StatusOK || !strings.Contains(string(body), key) {
		t.Fatalf("objects = %s", body)
	}
}

func TestSDK_errorsParse(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	client := sdkClient(t, srv, common.NewCredential(DefaultSecretID, DefaultSecretKey))
	var out map[string]any
	err := sdkCall(client, ServiceVOD, VersionVOD, "ApplyUpload", map[string]any{"MediaType": "exe"}, &out)
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) || sdkErr.Code != string(CodeInvalidMediaType) || !uuidPattern.MatchString(sdkErr.RequestId) {
		t.Fatalf("err = %v", err)
	}

	wrongKey := sdkClient(t, srv, common.NewCredential(DefaultSecretID, "wrong"))
	err = sdkCall(wrongKey, ServiceVOD, VersionVOD, "ApplyUpload", map[string]any{"MediaType": "mp4"}, &out)
	if !errors.As(err, &sdkErr) || sdkErr.Code != string(CodeSignatureFailure) {
		t.Fatalf("err = %v", err)
	}
}

func TestSDK_assumeRoleThenUseTemporaryCredentials(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	client := sdkClient(t, srv, common.NewCredential(DefaultSecretID, DefaultSecretKey))
	var creds assumeRoleReply
	err := sdkCall(client, ServiceSTS, VersionSTS, "AssumeRole",
		map[string]any{"RoleArn": testRoleARN, "RoleSessionName": "sdk-test", "DurationSeconds": 900}, &creds)
	if err != nil {
		t.Fatalf("AssumeRole via SDK: %v", err)
	}
	temp := sdkClient(t, srv, common.NewTokenCredential(creds.Credentials.TmpSecretId, creds.Credentials.TmpSecretKey, creds.Credentials.Token))
	var upload applyUploadReply
	if err := sdkCall(temp, ServiceVOD, VersionVOD, "ApplyUpload", map[string]any{"MediaType": "mp4"}, &upload); err != nil {
		t.Fatalf("ApplyUpload with temporary credentials: %v", err)
	}
	if got := srv.Calls("ApplyUpload"); len(got) != 1 || got[0].Token != creds.Credentials.Token {
		t.Fatalf("calls = %+v", got)
	}
}

func TestSDK_mediaLifecycle(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	client := sdkClient(t, srv, common.NewCredential(DefaultSecretID, DefaultSecretKey))
	var upload applyUploadReply
	if err := sdkCall(client, ServiceVOD, VersionVOD, "ApplyUpload", map[string]any{"MediaType": "mp4", "MediaName": "sdk"}, &upload); err != nil {
		t.Fatalf("ApplyUpload: %v", err)
	}
	base, _ := url.Parse(srv.URL())
	cosClient := cos.NewClient(&cos.BaseURL{BucketURL: base}, &http.Client{Transport: &cos.AuthorizationTransport{
		SecretID: upload.TempCertificate.SecretId, SecretKey: upload.TempCertificate.SecretKey, SessionToken: upload.TempCertificate.Token,
	}})
	if _, err := cosClient.Object.Put(context.Background(), upload.MediaStoragePath[1:], strings.NewReader("sdk media"), nil); err != nil {
		t.Fatalf("COS Put: %v", err)
	}
	var commit commitReply
	if err := sdkCall(client, ServiceVOD, VersionVOD, "CommitUpload", map[string]any{"VodSessionKey": upload.VodSessionKey}, &commit); err != nil {
		t.Fatalf("CommitUpload: %v", err)
	}
	var modified struct{ CoverUrl string }
	if err := sdkCall(client, ServiceVOD, VersionVOD, "ModifyMediaInfo", map[string]any{"FileId": commit.FileId, "Name": "renamed", "AddTags": []string{"t"}}, &modified); err != nil {
		t.Fatalf("ModifyMediaInfo: %v", err)
	}
	var described struct {
		MediaInfoSet []struct {
			FileId    string
			BasicInfo struct {
				Name   string
				TagSet []string
			}
			MetaData struct{ Size int64 }
		}
		NotExistFileIdSet []string
	}
	if err := sdkCall(client, ServiceVOD, VersionVOD, "DescribeMediaInfos", map[string]any{"FileIds": []string{commit.FileId}}, &described); err != nil {
		t.Fatalf("DescribeMediaInfos: %v", err)
	}
	if len(described.MediaInfoSet) != 1 || described.MediaInfoSet[0].BasicInfo.Name != "renamed" ||
		described.MediaInfoSet[0].MetaData.Size != int64(len("sdk media")) || len(described.MediaInfoSet[0].BasicInfo.TagSet) != 1 {
		t.Fatalf("described = %+v", described)
	}
	var deleted map[string]any
	if err := sdkCall(client, ServiceVOD, VersionVOD, "DeleteMedia", map[string]any{"FileId": commit.FileId}, &deleted); err != nil {
		t.Fatalf("DeleteMedia: %v", err)
	}
	err := sdkCall(client, ServiceVOD, VersionVOD, "DeleteMedia", map[string]any{"FileId": commit.FileId}, &deleted)
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) || sdkErr.Code != string(CodeResourceNotFound) {
		t.Fatalf("second DeleteMedia: %v", err)
	}
}
