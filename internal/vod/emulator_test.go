package vod_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// These tests run the client against the in-process emulator: the same signatures, envelopes and
// object-store checks a real account would apply, on loopback.

func startEmulator(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// emulatorConfig points every endpoint at srv with a hermetic environment.
func emulatorConfig(t *testing.T, srv *emulator.Server) vod.Config {
	return vod.Config{
		Endpoint: srv.URL(), STSEndpoint: srv.URL(), COSEndpoint: srv.URL(), MetadataEndpoint: srv.URL(),
		Getenv: func(string) string { return "" }, HomeDir: t.TempDir(), RateLimit: 1000,
	}
}

func TestEmulatorApplyUploadAndPresignedPut(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resp, err := c.ApplyUpload(ctx, &vod.ApplyUploadRequest{MediaType: "mp4", MediaName: "clip"})
	if err != nil {
		t.Fatalf("ApplyUpload: %v", err)
	}
	if resp.RequestID == "" || resp.VodSessionKey == "" || !strings.HasPrefix(resp.MediaStoragePath, "/") ||
		resp.TempCertificate.Token == "" || time.Unix(int64(resp.TempCertificate.ExpiredTime), 0).Before(time.Now()) {
		t.Fatalf("response = %v", resp)
	}
	sessions := srv.Sessions()
	if len(sessions) != 1 || sessions[0].StorageBucket != resp.StorageBucket || sessions[0].RequestID != resp.RequestID {
		t.Fatalf("emulator sessions = %+v", sessions)
	}

	bucketURL, err := c.BucketURL(resp.StorageBucket, resp.StorageRegion)
	if err != nil {
		t.Fatal(err)
	}
	presigned, err := c.PresignedPutURL(ctx, bucketURL, resp.MediaStoragePath, resp.TempCertificate)
	if err != nil {
		t.Fatal(err)
	}
	// curl --upload-file: a bare PUT with the bytes, no other credentials.
	body := []byte("not really an mp4")
	putResp := put(t, presigned, body)
	if putResp.StatusCode != http.StatusOK {
		t.Fatalf("PUT answered %s", putResp.Status)
	}
	stored, ok := srv.Object(resp.StorageBucket, strings.TrimPrefix(resp.MediaStoragePath, "/"))
	if !ok || !bytes.Equal(stored, body) {
		t.Fatalf("stored object = %q, %v", stored, ok)
	}

	// The URL is bound to its object and signature: another key or a tampered signature is refused.
	u, _ := url.Parse(presigned)
	u.Path += ".other"
	if r := put(t, u.String(), body); r.StatusCode != http.StatusForbidden {
		t.Errorf("PUT to another key answered %s, want 403", r.Status)
	}
	q, _ := url.Parse(presigned)
	values := q.Query()
	values.Set("q-signature", strings.Repeat("0", 40))
	q.RawQuery = values.Encode()
	if r := put(t, q.String(), body); r.StatusCode != http.StatusForbidden {
		t.Errorf("PUT with a bad signature answered %s, want 403", r.Status)
	}
}

func put(t *testing.T, target string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestEmulatorAssumeRole(t *testing.T) {
	t.Parallel()
	const arn = "qcs::cam::uin/100000000001:roleName/vod-uploader"
	srv := startEmulator(t, emulator.Options{Roles: map[string]emulator.RoleOptions{arn: {ExternalID: "ext-123"}}})
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	cfg.AssumeRole = &vod.AssumeRoleConfig{
		RoleARN: arn, SessionName: "terraform", SessionDuration: 15 * time.Minute, ExternalID: "ext-123",
		Policy: `{"version":"2.0","statement":[{"effect":"allow","action":["vod:ApplyUpload"],"resource":["*"]}]}`,
	}
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatalf("ApplyUpload with assumed role: %v", err)
	}
	sts := srv.Calls("AssumeRole")
	if len(sts) != 1 || sts[0].SecretID != emulator.DefaultSecretID || sts[0].Code != "" || sts[0].Service != "sts" {
		t.Fatalf("AssumeRole calls = %+v", sts)
	}
	apply := srv.Calls("ApplyUpload")
	if len(apply) != 1 || apply[0].SecretID == emulator.DefaultSecretID || apply[0].Token == "" || apply[0].Code != "" {
		t.Fatalf("ApplyUpload calls = %+v, want them signed by the assumed role", apply)
	}

	cfg.AssumeRole.ExternalID = "wrong"
	c, err = vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "mp4"})
	if vod.ErrorCode(err) == "" || !strings.Contains(err.Error(), "AssumeRole") {
		t.Errorf("with a wrong external id: err = %v, want an AssumeRole API error", err)
	}
}

func TestEmulatorCVMRole(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{CVMRoles: []string{"vod-role"}})
	cfg := emulatorConfig(t, srv)
	cfg.CAMRoleName = "vod-role"
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatalf("ApplyUpload with CVM role: %v", err)
	}
	apply := srv.Calls("ApplyUpload")
	if len(apply) != 1 || apply[0].Token == "" {
		t.Fatalf("ApplyUpload calls = %+v, want temporary credentials with a token", apply)
	}

	cfg.CAMRoleName = "not-bound"
	c, _ = vod.NewClient(cfg)
	if _, err := c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "mp4"}); err == nil || !strings.Contains(err.Error(), "not bound") {
		t.Errorf("unbound role: err = %v", err)
	}
}

func TestEmulatorFaultsAreRetried(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	srv.InjectFault(emulator.Fault{Action: "ApplyUpload", Times: 1, Code: "RequestLimitExceeded", Message: "slow down"})
	srv.InjectFault(emulator.Fault{Action: "ApplyUpload", Times: 1, HTTPStatus: http.StatusBadGateway})
	srv.InjectFault(emulator.Fault{Action: "ApplyUpload", Times: 1, DropConnection: true})
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatalf("ApplyUpload after faults: %v", err)
	}
	if n := srv.Attempts("ApplyUpload"); n != 4 {
		t.Errorf("attempts = %d, want 3 faults + 1 success", n)
	}
}

func TestEmulatorRejectsWrongKey(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, "wrong-key-sentinel"
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ApplyUpload(context.Background(), &vod.ApplyUploadRequest{MediaType: "mp4"})
	var apiErr *vod.APIError
	if !errors.As(err, &apiErr) || !apiErr.HasCode("AuthFailure") || apiErr.RequestID == "" {
		t.Fatalf("err = %v, want AuthFailure with a RequestId", err)
	}
	if srv.Attempts("ApplyUpload") != 1 {
		t.Errorf("attempts = %d, AuthFailure must not be retried", srv.Attempts("ApplyUpload"))
	}
	if strings.Contains(err.Error(), "wrong-key-sentinel") {
		t.Error("the error contains the secret key")
	}
}
