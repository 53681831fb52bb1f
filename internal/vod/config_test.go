package vod

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Endpoint
		wantErr string
	}{
		{in: "vod.tencentcloudapi.com", want: Endpoint{"https", "vod.tencentcloudapi.com"}},
		{in: "https://vod.ap-guangzhou.tencentcloudapi.com", want: Endpoint{"https", "vod.ap-guangzhou.tencentcloudapi.com"}},
		{in: "http://127.0.0.1:9000", want: Endpoint{"http", "127.0.0.1:9000"}},
		{in: "http://127.0.0.1:9000/", want: Endpoint{"http", "127.0.0.1:9000"}},
		{in: "HTTP://LocalHost:8080", want: Endpoint{"http", "localhost:8080"}},
		{in: "localhost:8080", want: Endpoint{"https", "localhost:8080"}},
		{in: "http://[::1]:9000", want: Endpoint{"http", "[::1]:9000"}},
		{in: "", wantErr: "empty"},
		{in: "ftp://example.com", wantErr: "scheme"},
		{in: "http://example.com/api", wantErr: "path"},
		{in: "http://example.com?x=1", wantErr: "query"},
		{in: "http://example.com/#frag", wantErr: "fragment"},
		{in: "http://user:pw@example.com", wantErr: "user info"},
		{in: "http://", wantErr: "missing host"},
		{in: "http://example.com:0", wantErr: "port"},
		{in: "http://example.com:99999", wantErr: "port"},
		{in: "http://exa mple.com", wantErr: "URL"},
		{in: "http://bad_host", wantErr: "invalid host"},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseEndpoint(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateCOSEndpoint(t *testing.T) {
	t.Parallel()
	valid := []string{
		DefaultCOSEndpoint,
		"http://127.0.0.1:9000",
		"http://127.0.0.1:9000/",
		"https://{bucket}.cos.accelerate.myqcloud.com",
		"https://{bucket}.cos.{region}.tencentcos.cn",
	}
	for _, v := range valid {
		if err := ValidateCOSEndpoint(v); err != nil {
			t.Errorf("ValidateCOSEndpoint(%q) = %v, want nil", v, err)
		}
	}
	invalid := map[string]string{
		"{bucket}.cos.{region}.myqcloud.com":           "URL",
		"ftp://{bucket}.example.com":                   "scheme",
		"https://{bucket}.cos.{region}.myqcloud.com/x": "path",
		"https://cos.example.com?b={bucket}":           "query",
		"https://{bucket}.{zone}.example.com":          "{zone}",
		"https://":                                     "host",
	}
	for v, want := range invalid {
		err := ValidateCOSEndpoint(v)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateCOSEndpoint(%q) = %v, want error containing %q", v, err, want)
		}
	}
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c := mustClient(t, Config{Getenv: envMap(nil), HomeDir: t.TempDir()})
	s := c.settings
	if c.Region() != DefaultRegion || c.SubAppID() != 0 {
		t.Errorf("region/sub app = %q/%d, want %q/0", c.Region(), c.SubAppID(), DefaultRegion)
	}
	if got := c.Endpoint().String(); got != "https://vod.tencentcloudapi.com" {
		t.Errorf("endpoint = %s", got)
	}
	if got := c.STSEndpoint().String(); got != "https://sts.tencentcloudapi.com" {
		t.Errorf("sts endpoint = %s", got)
	}
	if s.cosTemplate != DefaultCOSEndpoint || s.maxRetries != 5 || s.requestTimeout != 60*time.Second || s.rateLimit != 100 {
		t.Errorf("defaults = cos %q retries %d timeout %v rate %v", s.cosTemplate, s.maxRetries, s.requestTimeout, s.rateLimit)
	}
	if s.profile != "default" || s.profileExplicit || s.assumeRole != nil || s.camRoleName != "" {
		t.Errorf("profile %q explicit %v assumeRole %v cam %q", s.profile, s.profileExplicit, s.assumeRole, s.camRoleName)
	}
	if s.metadataEndpoint.String() != DefaultMetadataEndpoint {
		t.Errorf("metadata endpoint = %s", s.metadataEndpoint)
	}
}

func TestNewClientEnvironmentFallback(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := map[string]string{
		EnvRegion: "ap-singapore", EnvSubAppID: "1500000001", EnvDomain: "intl.tencentcloudapi.com",
		EnvCOSEndpoint: "http://127.0.0.1:9000", EnvProfile: "ci", EnvSharedCredentialsDir: "~/creds",
		EnvCAMRoleName: "vod-role", EnvMaxRetries: "2", EnvRequestTimeout: "1.5", EnvRateLimit: "20",
		EnvAssumeRoleARN: "qcs::cam::uin/100:roleName/r", EnvAssumeRoleSessionName: "tf",
		EnvAssumeRoleSessionDuration: "900", EnvAssumeRoleExternalID: "ext", EnvMetadataEndpoint: "127.0.0.1:8080",
	}
	c := mustClient(t, Config{Getenv: envMap(env), HomeDir: home})
	s := c.settings
	if s.region != "ap-singapore" || s.subAppID != 1500000001 {
		t.Errorf("region %q sub %d", s.region, s.subAppID)
	}
	if s.vodEndpoint.String() != "https://vod.intl.tencentcloudapi.com" || s.stsEndpoint.String() != "https://sts.intl.tencentcloudapi.com" {
		t.Errorf("endpoints %s %s", s.vodEndpoint, s.stsEndpoint)
	}
	if s.cosTemplate != "http://127.0.0.1:9000" || s.profile != "ci" || !s.profileExplicit || s.credentialsDir != filepath.Join(home, "creds") {
		t.Errorf("cos %q profile %q/%v dir %q", s.cosTemplate, s.profile, s.profileExplicit, s.credentialsDir)
	}
	if s.camRoleName != "vod-role" || s.maxRetries != 2 || s.requestTimeout != 1500*time.Millisecond || s.rateLimit != 20 {
		t.Errorf("cam %q retries %d timeout %v rate %v", s.camRoleName, s.maxRetries, s.requestTimeout, s.rateLimit)
	}
	want := AssumeRoleConfig{RoleARN: "qcs::cam::uin/100:roleName/r", SessionName: "tf", SessionDuration: 900 * time.Second, ExternalID: "ext"}
	if s.assumeRole == nil || *s.assumeRole != want {
		t.Errorf("assume role = %+v, want %+v", s.assumeRole, want)
	}
	if s.metadataEndpoint.String() != "http://127.0.0.1:8080" {
		t.Errorf("metadata endpoint %s (a bare host must mean http)", s.metadataEndpoint)
	}
}

func TestNewClientArgumentsOverrideEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		EnvRegion: "ap-singapore", EnvSubAppID: "not-used-because-argument-wins", EnvEndpoint: "http://127.0.0.1:1",
		EnvMaxRetries: "bad", EnvRequestTimeout: "bad", EnvRateLimit: "bad", EnvDomain: "intl.tencentcloudapi.com",
		EnvAssumeRoleSessionDuration: "60", EnvAssumeRoleExternalID: "env-ext",
	}
	zero := int64(0)
	c := mustClient(t, Config{
		Getenv: envMap(env), HomeDir: t.TempDir(),
		Region: "ap-beijing", SubAppID: 7, Endpoint: "http://127.0.0.1:2", MaxRetries: &zero,
		RequestTimeout: 3 * time.Second, RateLimit: 5,
		AssumeRole: &AssumeRoleConfig{RoleARN: "arn", SessionName: "s"},
	})
	s := c.settings
	if s.region != "ap-beijing" || s.subAppID != 7 || s.vodEndpoint.Host != "127.0.0.1:2" || s.maxRetries != 0 ||
		s.requestTimeout != 3*time.Second || s.rateLimit != 5 {
		t.Errorf("settings = %+v", s)
	}
	if s.stsEndpoint.Host != "sts.intl.tencentcloudapi.com" {
		t.Errorf("sts endpoint %s: endpoint must not change the STS host", s.stsEndpoint)
	}
	// Unset fields of the assume_role block still fall back to their environment variables.
	if s.assumeRole.SessionDuration != time.Minute || s.assumeRole.ExternalID != "env-ext" {
		t.Errorf("assume role = %+v", s.assumeRole)
	}
}

func TestNewClientRegionFromProfile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".tccli", "default.configure"), `{"_sys_param":{"arrayCount":10,"output":"json","region":"ap-hongkong"},"vod":{"endpoint":"vod.tencentcloudapi.com"}}`)
	writeFile(t, filepath.Join(home, ".tccli", "other.configure"), `{"_sys_param":{"region":"ap-tokyo"}}`)

	if got := mustClient(t, Config{Getenv: envMap(nil), HomeDir: home}).Region(); got != "ap-hongkong" {
		t.Errorf("region from default profile = %q", got)
	}
	if got := mustClient(t, Config{Getenv: envMap(map[string]string{EnvProfile: "other"}), HomeDir: home}).Region(); got != "ap-tokyo" {
		t.Errorf("region from named profile = %q", got)
	}
	if got := mustClient(t, Config{Getenv: envMap(map[string]string{EnvRegion: "ap-seoul"}), HomeDir: home}).Region(); got != "ap-seoul" {
		t.Errorf("environment must win over profile, got %q", got)
	}
	if got := mustClient(t, Config{Getenv: envMap(nil), HomeDir: home, Profile: "missing"}).Region(); got != DefaultRegion {
		t.Errorf("missing configure file must fall back to default, got %q", got)
	}
}

func TestNewClientInvalidSettings(t *testing.T) {
	t.Parallel()
	neg := int64(-1)
	tests := []struct {
		name     string
		cfg      Config
		env      map[string]string
		wantArgs []string // every string must appear in the error
	}{
		{"sub app id not integer", Config{}, map[string]string{EnvSubAppID: "abc"}, []string{`"sub_app_id"`, EnvSubAppID, `"abc"`}},
		{"sub app id zero", Config{}, map[string]string{EnvSubAppID: "0"}, []string{`"sub_app_id"`, EnvSubAppID, "at least 1"}},
		{"sub app id negative", Config{}, map[string]string{EnvSubAppID: "-5"}, []string{`"sub_app_id"`, EnvSubAppID}},
		{"max retries negative", Config{MaxRetries: &neg}, nil, []string{`"max_retries"`, EnvMaxRetries}},
		{"max retries env", Config{}, map[string]string{EnvMaxRetries: "x"}, []string{`"max_retries"`, EnvMaxRetries}},
		{"max retries env negative", Config{}, map[string]string{EnvMaxRetries: "-2"}, []string{`"max_retries"`, EnvMaxRetries}},
		{"timeout negative", Config{RequestTimeout: -time.Second}, nil, []string{`"request_timeout"`, EnvRequestTimeout}},
		{"timeout env", Config{}, map[string]string{EnvRequestTimeout: "soon"}, []string{`"request_timeout"`, EnvRequestTimeout}},
		{"timeout env negative", Config{}, map[string]string{EnvRequestTimeout: "-1"}, []string{`"request_timeout"`, EnvRequestTimeout}},
		{"rate negative", Config{RateLimit: -1}, nil, []string{`"rate_limit"`, EnvRateLimit}},
		{"rate env", Config{}, map[string]string{EnvRateLimit: "fast"}, []string{`"rate_limit"`, EnvRateLimit}},
		// Environment values are held to the same bounds as the arguments, and the error names the
		// variable, its value and what is allowed.
		{"rate env zero", Config{}, map[string]string{EnvRateLimit: "0"}, []string{EnvRateLimit + `="0"`, "at least 1", `"rate_limit"`}},
		{"rate env fraction", Config{}, map[string]string{EnvRateLimit: "2.5"}, []string{EnvRateLimit + `="2.5"`, "whole number"}},
		{"timeout env zero", Config{}, map[string]string{EnvRequestTimeout: "0"}, []string{EnvRequestTimeout + `="0"`, "from 1 to 3600", `"request_timeout"`}},
		{"timeout env too long", Config{}, map[string]string{EnvRequestTimeout: "3601"}, []string{EnvRequestTimeout + `="3601"`, "from 1 to 3600"}},
		{"max retries env too many", Config{}, map[string]string{EnvMaxRetries: "21"}, []string{EnvMaxRetries + `="21"`, "from 0 to 20", `"max_retries"`}},
		{"endpoint", Config{Endpoint: "x/y"}, nil, []string{`invalid endpoint "x/y"`, `"endpoint"`, EnvEndpoint}},
		{"endpoint env", Config{}, map[string]string{EnvEndpoint: "http://h/path"}, []string{`"endpoint"`, EnvEndpoint}},
		{"sts endpoint", Config{STSEndpoint: "ftp://h"}, nil, []string{`"sts_endpoint"`, EnvSTSEndpoint}},
		{"cos endpoint", Config{COSEndpoint: "https://{bucket}.x.com/path"}, nil, []string{`"cos_endpoint"`, EnvCOSEndpoint}},
		{"domain", Config{Domain: "https://x.com"}, nil, []string{`"domain"`, EnvDomain}},
		{"region", Config{Region: "Guangzhou"}, nil, []string{`"region"`, EnvRegion}},
		{"profile path", Config{Profile: "../etc"}, nil, []string{`"profile"`, EnvProfile}},
		{"duration too long", Config{AssumeRole: &AssumeRoleConfig{RoleARN: "a", SessionName: "s", SessionDuration: 43201 * time.Second}}, nil,
			[]string{`"assume_role.session_duration"`, EnvAssumeRoleSessionDuration}},
		{"duration env zero", Config{}, map[string]string{EnvAssumeRoleARN: "a", EnvAssumeRoleSessionName: "s", EnvAssumeRoleSessionDuration: "0"},
			[]string{`"assume_role.session_duration"`, EnvAssumeRoleSessionDuration}},
		{"duration env text", Config{}, map[string]string{EnvAssumeRoleARN: "a", EnvAssumeRoleSessionName: "s", EnvAssumeRoleSessionDuration: "2h"},
			[]string{`"assume_role.session_duration"`, EnvAssumeRoleSessionDuration}},
		{"assume role without session", Config{AssumeRole: &AssumeRoleConfig{RoleARN: "a"}}, nil, []string{`"role_arn"`, `"session_name"`}},
		{"assume role env half", Config{}, map[string]string{EnvAssumeRoleARN: "a"}, []string{EnvAssumeRoleARN, EnvAssumeRoleSessionName}},
		{"secret id without key", Config{SecretID: "AKID"}, nil, []string{`"secret_id"`, `"secret_key"`}},
		{"secret key without id", Config{SecretKey: "k"}, nil, []string{`"secret_id"`, `"secret_key"`}},
		{"token alone", Config{SecurityToken: "tok"}, nil, []string{`"security_token"`}},
		{"metadata endpoint", Config{MetadataEndpoint: "http://h/x"}, nil, []string{"metadata endpoint", EnvMetadataEndpoint}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Getenv, cfg.HomeDir = envMap(tt.env), t.TempDir()
			_, err := NewClient(cfg)
			if err == nil {
				t.Fatal("NewClient succeeded, want an error")
			}
			for _, want := range tt.wantArgs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %s", err, want)
				}
			}
		})
	}
}

func TestNewClientDurationZeroMeansDefault(t *testing.T) {
	t.Parallel()
	c := mustClient(t, Config{Getenv: envMap(nil), HomeDir: t.TempDir(), AssumeRole: &AssumeRoleConfig{RoleARN: "a", SessionName: "s"}})
	if c.settings.assumeRole.SessionDuration != DefaultAssumeRoleSessionDuration {
		t.Errorf("duration = %v", c.settings.assumeRole.SessionDuration)
	}
}

func TestNewClientMalformedProfileConfigure(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".tccli", "default.configure"), `not json`)
	_, err := NewClient(Config{Getenv: envMap(nil), HomeDir: home})
	if err == nil || !strings.Contains(err.Error(), "default.configure") {
		t.Fatalf("err = %v, want it to name the configure file", err)
	}
	// A configured region means the file is never read.
	if _, err := NewClient(Config{Getenv: envMap(nil), HomeDir: home, Region: "ap-guangzhou"}); err != nil {
		t.Fatalf("with a region set: %v", err)
	}
}

func TestBucketURL(t *testing.T) {
	t.Parallel()
	c := mustClient(t, Config{Getenv: envMap(nil), HomeDir: t.TempDir()})
	got, err := c.BucketURL("vodbucket-1250000000", "ap-chongqing")
	if err != nil || got != "https://vodbucket-1250000000.cos.ap-chongqing.myqcloud.com" {
		t.Errorf("BucketURL = %q, %v", got, err)
	}
	if _, err := c.BucketURL("evil.com/x", "ap-chongqing"); err == nil {
		t.Error("a bucket with '/' must be rejected")
	}
	if _, err := c.BucketURL("b-1", ""); err == nil {
		t.Error("an empty region must be rejected when the template uses {region}")
	}
	local := mustClient(t, Config{Getenv: envMap(nil), HomeDir: t.TempDir(), COSEndpoint: "http://127.0.0.1:9000/"})
	if got, err := local.BucketURL("vodbucket-1250000000", "ap-chongqing"); err != nil || got != "http://127.0.0.1:9000" {
		t.Errorf("BucketURL without placeholders = %q, %v", got, err)
	}
}

func TestMaxRetriesLimit(t *testing.T) {
	t.Parallel()
	for value, wantErr := range map[string]bool{"0": false, "20": false, "21": true} {
		_, err := NewClient(Config{Getenv: envMap(map[string]string{EnvMaxRetries: value}), HomeDir: t.TempDir()})
		if gotErr := err != nil; gotErr != wantErr {
			t.Errorf("%s=%s: error %v, want error: %v", EnvMaxRetries, value, err, wantErr)
		}
	}
}
