package vod

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// metadataServer is a CVM metadata service serving one role, counting its hits.
type metadataServer struct {
	server  *httptest.Server
	hits    atomic.Int32
	mu      sync.Mutex
	expires time.Time
	id      string
}

func newMetadataServer(t *testing.T, role string, expires time.Time) *metadataServer {
	t.Helper()
	m := &metadataServer{expires: expires, id: "AKIDCVMROLE1"}
	m.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := m.hits.Add(1)
		if r.URL.Path != "/latest/meta-data/cam/security-credentials/"+role {
			http.NotFound(w, r)
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{
			"TmpSecretId": m.id[:len(m.id)-1] + strconv.Itoa(int(n)), "TmpSecretKey": "cvm-secret-key", "Token": "cvm-token",
			"ExpiredTime": m.expires.Unix(), "Expiration": m.expires.UTC().Format(time.RFC3339), "Code": "Success",
		})
	}))
	t.Cleanup(m.server.Close)
	return m
}

// failingMetadata fails the test if anything contacts it.
func failingMetadata(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("metadata service contacted: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

func okAPI(t *testing.T) *fakeAPI {
	return newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) {
		writeOK(w, "req-ok", applyUploadFields())
	})
}

func TestCredentialChainOrder(t *testing.T) {
	t.Parallel()
	const role = "vod-role"
	type sources struct{ explicit, env, profile, cvm bool }
	tests := []struct {
		name   string
		have   sources
		wantID string
	}{
		{"explicit beats all", sources{true, true, true, true}, "AKIDEXPLICIT"},
		{"environment beats profile and role", sources{false, true, true, true}, "AKIDENV"},
		{"profile beats role", sources{false, false, true, true}, "AKIDPROFILE"},
		{"role last", sources{false, false, false, true}, "AKIDCVMROLE1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := okAPI(t)
			home := t.TempDir()
			cfg := Config{Endpoint: api.URL(), HomeDir: home, RateLimit: 1000}
			env := map[string]string{}
			if tt.have.explicit {
				cfg.SecretID, cfg.SecretKey = "AKIDEXPLICIT", "explicit-key"
			}
			if tt.have.env {
				env[EnvSecretID], env[EnvSecretKey], env[EnvSecurityToken] = "AKIDENV", "env-key", "env-token"
			}
			if tt.have.profile {
				writeFile(t, filepath.Join(home, ".tccli", "default.credential"), `{"secretId":"AKIDPROFILE","secretKey":"profile-key","token":"profile-token"}`)
			}
			if tt.have.cvm {
				meta := newMetadataServer(t, role, time.Now().Add(time.Hour))
				cfg.CAMRoleName, cfg.MetadataEndpoint = role, meta.server.URL
			} else {
				cfg.MetadataEndpoint = failingMetadata(t)
			}
			cfg.Getenv = envMap(env)
			c := mustClient(t, cfg)
			if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
				t.Fatalf("ApplyUpload: %v", err)
			}
			calls := api.Calls()
			if len(calls) != 1 || calls[0].SecretID != tt.wantID {
				t.Fatalf("calls = %+v, want one signed by %s", calls, tt.wantID)
			}
			wantToken := map[string]string{"AKIDEXPLICIT": "", "AKIDENV": "env-token", "AKIDPROFILE": "profile-token", "AKIDCVMROLE1": "cvm-token"}[tt.wantID]
			if calls[0].Token != wantToken {
				t.Errorf("X-TC-Token = %q, want %q (a token belongs to its own credential set)", calls[0].Token, wantToken)
			}
		})
	}
}

func TestExplicitCredentialsAreOneSet(t *testing.T) {
	t.Parallel()
	api := okAPI(t)
	cfg := testConfig(t, api.URL())
	cfg.Getenv = envMap(map[string]string{EnvSecurityToken: "env-token-must-not-mix"})
	c := mustClient(t, cfg)
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatal(err)
	}
	if tok := api.Calls()[0].Token; tok != "" {
		t.Errorf("X-TC-Token = %q: the environment token must not join explicit credentials", tok)
	}
}

func TestEnvironmentCredentialsNeedBoth(t *testing.T) {
	t.Parallel()
	c := mustClient(t, Config{Getenv: envMap(map[string]string{EnvSecretID: "AKIDENV"}), HomeDir: t.TempDir(), MetadataEndpoint: failingMetadata(t)})
	_, err := c.credentialsFor(context.Background())
	if err == nil || !strings.Contains(err.Error(), EnvSecretID) || !strings.Contains(err.Error(), EnvSecretKey) {
		t.Fatalf("err = %v, want it to name both variables", err)
	}
}

func TestProfileCredentials(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	dir := filepath.Join(home, "shared")
	writeFile(t, filepath.Join(dir, "ci.credential"), `{"secretId":" AKIDCI ","secretKey":"ci-key"}`)
	writeFile(t, filepath.Join(dir, "broken.credential"), `{"secretId":"AKIDX","secretKey":"leaked-if-quoted"`)
	writeFile(t, filepath.Join(dir, "empty.credential"), `{"secretId":""}`)
	meta := failingMetadata(t)

	c := mustClient(t, Config{Getenv: envMap(map[string]string{EnvProfile: "ci", EnvSharedCredentialsDir: dir}), HomeDir: home, MetadataEndpoint: meta})
	cred, err := c.credentialsFor(context.Background())
	if err != nil || cred.secretID != "AKIDCI" || cred.secretKey != "ci-key" {
		t.Fatalf("credentials = %v %v", cred, err)
	}

	for _, name := range []string{"broken", "empty"} {
		c := mustClient(t, Config{Getenv: envMap(nil), Profile: name, SharedCredentialsDir: dir, HomeDir: home, MetadataEndpoint: meta})
		_, err := c.credentialsFor(context.Background())
		if err == nil || !strings.Contains(err.Error(), name+".credential") || strings.Contains(err.Error(), "leaked-if-quoted") {
			t.Errorf("profile %s: err = %v, want the file named and no content quoted", name, err)
		}
	}
}

func TestNamedProfileMissingIsAnError(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	meta := failingMetadata(t)
	for _, cfg := range []Config{
		{Profile: "prod", Getenv: envMap(nil)},
		{Getenv: envMap(map[string]string{EnvProfile: "prod"})},
	} {
		cfg.HomeDir, cfg.MetadataEndpoint = home, meta
		c := mustClient(t, cfg)
		_, err := c.credentialsFor(context.Background())
		if err == nil || errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), `"prod" not found`) ||
			!strings.Contains(err.Error(), EnvProfile) || !strings.Contains(err.Error(), filepath.Join(home, ".tccli", "prod.credential")) {
			t.Errorf("err = %v, want a missing-profile error naming the file and %s", err, EnvProfile)
		}
	}
}

func TestNoCredentialsErrorNamesEverySource(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, _ apiCall) {
		t.Error("the API must not be called without credentials")
	})
	c := mustClient(t, Config{Endpoint: api.URL(), Getenv: envMap(nil), HomeDir: t.TempDir(), MetadataEndpoint: failingMetadata(t)})
	_, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("err = %v, want ErrNoCredentials", err)
	}
	for _, want := range []string{`"secret_id"`, `"secret_key"`, EnvSecretID, EnvSecretKey, `"profile"`, `"shared_credentials_dir"`,
		EnvProfile, EnvSharedCredentialsDir, `"cam_role_name"`, EnvCAMRoleName} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestCVMRoleCredentialsRefreshBeforeExpiry(t *testing.T) {
	t.Parallel()
	api := okAPI(t)
	now := time.Unix(1_800_000_000, 0)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	meta := newMetadataServer(t, "vod-role", now.Add(time.Hour))
	c := mustClient(t, Config{
		Endpoint: api.URL(), Getenv: envMap(map[string]string{EnvCAMRoleName: "vod-role"}), HomeDir: t.TempDir(),
		MetadataEndpoint: meta.server.URL, Clock: clock, RateLimit: 1000,
	})
	apply := func() {
		t.Helper()
		if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
			t.Fatal(err)
		}
	}
	apply()
	apply()
	if meta.hits.Load() != 1 {
		t.Fatalf("metadata hits = %d, want 1 (credentials are cached)", meta.hits.Load())
	}
	clockMu.Lock()
	now = now.Add(56 * time.Minute) // inside the 5-minute refresh window
	clockMu.Unlock()
	apply()
	if meta.hits.Load() != 2 {
		t.Fatalf("metadata hits = %d, want 2 (refresh shortly before expiry)", meta.hits.Load())
	}
	calls := api.Calls()
	if calls[0].SecretID != "AKIDCVMROLE1" || calls[2].SecretID != "AKIDCVMROLE2" {
		t.Errorf("signers = %s, %s; want the refreshed credentials on the last call", calls[0].SecretID, calls[2].SecretID)
	}
}

func TestCVMRoleNotBound(t *testing.T) {
	t.Parallel()
	meta := newMetadataServer(t, "other-role", time.Now().Add(time.Hour))
	c := mustClient(t, Config{CAMRoleName: "vod-role", Getenv: envMap(nil), HomeDir: t.TempDir(), MetadataEndpoint: meta.server.URL})
	_, err := c.credentialsFor(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"vod-role"`) || !strings.Contains(err.Error(), "not bound") {
		t.Fatalf("err = %v", err)
	}
}

// stsAndVOD answers AssumeRole with temporary credentials and ApplyUpload with a session.
func stsAndVOD(t *testing.T, keys map[string]string, expires func() time.Time) *fakeAPI {
	var n atomic.Int32
	return newFakeAPI(t, keys, func(w http.ResponseWriter, _ *http.Request, call apiCall) {
		switch call.Action {
		case "AssumeRole":
			i := n.Add(1)
			writeOK(w, "req-sts", map[string]any{
				"Credentials": map[string]any{"TmpSecretId": "AKIDASSUMED" + strconv.Itoa(int(i)), "TmpSecretKey": "assumed-key", "Token": "assumed-token"},
				"ExpiredTime": expires().Unix(), "Expiration": expires().UTC().Format(time.RFC3339),
			})
		default:
			writeOK(w, "req-vod", applyUploadFields())
		}
	})
}

func TestAssumeRole(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	keys := map[string]string{"AKIDBASE": "base-key", "AKIDASSUMED1": "assumed-key", "AKIDASSUMED2": "assumed-key"}
	api := stsAndVOD(t, keys, func() time.Time { return clock().Add(2 * time.Hour) })
	policy := `{"version":"2.0","statement":[{"effect":"allow","action":["vod:ApplyUpload"],"resource":"*"}]}`
	c := mustClient(t, Config{
		SecretID: "AKIDBASE", SecretKey: "base-key", Endpoint: api.URL(), STSEndpoint: api.URL(), Region: "ap-singapore",
		AssumeRole: &AssumeRoleConfig{RoleARN: "qcs::cam::uin/100:roleName/vod", SessionName: "terraform", SessionDuration: time.Hour, Policy: policy, ExternalID: "ext-1"},
		Getenv:     envMap(nil), HomeDir: t.TempDir(), MetadataEndpoint: failingMetadata(t), Clock: clock, RateLimit: 1000,
	})
	for range 2 {
		if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
			t.Fatal(err)
		}
	}
	calls := api.Calls()
	if len(calls) != 3 {
		t.Fatalf("calls = %d, want AssumeRole once then two ApplyUploads", len(calls))
	}
	sts := calls[0]
	if sts.Action != "AssumeRole" || sts.Service != "sts" || sts.Version != "2018-08-13" || sts.Region != "ap-singapore" || sts.SecretID != "AKIDBASE" || !sts.SignatureValid {
		t.Errorf("STS call = %+v", sts)
	}
	wantParams := map[string]any{"RoleArn": "qcs::cam::uin/100:roleName/vod", "RoleSessionName": "terraform",
		"DurationSeconds": float64(3600), "Policy": url.QueryEscape(policy), "ExternalId": "ext-1"}
	for k, v := range wantParams {
		if sts.Params[k] != v {
			t.Errorf("AssumeRole %s = %v, want %v", k, sts.Params[k], v)
		}
	}
	for _, vod := range calls[1:] {
		if vod.Service != "vod" || vod.SecretID != "AKIDASSUMED1" || vod.Token != "assumed-token" || !vod.SignatureValid {
			t.Errorf("VOD call = %+v, want it signed by the assumed role", vod)
		}
	}

	clockMu.Lock()
	now = now.Add(2*time.Hour - time.Minute)
	clockMu.Unlock()
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatal(err)
	}
	calls = api.Calls()
	if len(calls) != 5 || calls[3].Action != "AssumeRole" || calls[4].SecretID != "AKIDASSUMED2" {
		t.Errorf("after expiry: calls = %+v, want a fresh AssumeRole before the call", calls[3:])
	}
}

func TestAssumeRoleFromEnvironmentOnTopOfProfile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".tccli", "default.credential"), `{"secretId":"AKIDPROFILE","secretKey":"profile-key"}`)
	api := stsAndVOD(t, map[string]string{"AKIDPROFILE": "profile-key"}, func() time.Time { return time.Now().Add(time.Hour) })
	c := mustClient(t, Config{
		Endpoint: api.URL(), STSEndpoint: api.URL(), HomeDir: home, MetadataEndpoint: failingMetadata(t), RateLimit: 1000,
		Getenv: envMap(map[string]string{EnvAssumeRoleARN: "qcs::cam::uin/1:roleName/r", EnvAssumeRoleSessionName: "ci"}),
	})
	if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
		t.Fatal(err)
	}
	calls := api.Calls()
	if calls[0].SecretID != "AKIDPROFILE" || !calls[0].SignatureValid || calls[0].Params["DurationSeconds"] != float64(7200) {
		t.Errorf("AssumeRole = %+v", calls[0])
	}
	if _, has := calls[0].Params["Policy"]; has {
		t.Error("Policy must be omitted when unset")
	}
	if calls[1].SecretID != "AKIDASSUMED1" {
		t.Errorf("ApplyUpload signed by %s", calls[1].SecretID)
	}
}

func TestAssumeRoleFailureNamesRole(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, nil, func(w http.ResponseWriter, _ *http.Request, call apiCall) {
		writeAPIError(w, "req-denied", "AuthFailure.UnauthorizedOperation", "not allowed")
	})
	cfg := testConfig(t, api.URL())
	cfg.AssumeRole = &AssumeRoleConfig{RoleARN: "qcs::cam::uin/1:roleName/r", SessionName: "s"}
	c := mustClient(t, cfg)
	_, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Action != "AssumeRole" || apiErr.RequestID != "req-denied" ||
		!strings.Contains(err.Error(), "qcs::cam::uin/1:roleName/r") {
		t.Fatalf("err = %v", err)
	}
	if len(api.Calls()) != 1 {
		t.Errorf("calls = %d, want 1 (AuthFailure is final)", len(api.Calls()))
	}
}

func TestConcurrentCallsResolveCredentialsOnce(t *testing.T) {
	t.Parallel()
	api := stsAndVOD(t, nil, func() time.Time { return time.Now().Add(time.Hour) })
	cfg := testConfig(t, api.URL())
	cfg.AssumeRole = &AssumeRoleConfig{RoleARN: "arn", SessionName: "s"}
	c := mustClient(t, cfg)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.ApplyUpload(context.Background(), &ApplyUploadRequest{MediaType: "mp4"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	assumes := 0
	for _, call := range api.Calls() {
		if call.Action == "AssumeRole" {
			assumes++
		}
	}
	if assumes != 1 {
		t.Errorf("AssumeRole calls = %d, want 1", assumes)
	}
}
