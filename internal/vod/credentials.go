package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	// metadataTimeout bounds a metadata-service lookup; off a CVM instance the name does not
	// resolve or the address does not answer, and the user should hear so quickly.
	metadataTimeout = 5 * time.Second
	// maxRefreshLead is how long before expiry temporary credentials are replaced.
	maxRefreshLead = 5 * time.Minute
	// fallbackLifetime is assumed for temporary credentials whose expiry was not reported.
	fallbackLifetime = 10 * time.Minute
)

// credentials sign API calls. String() never shows the key or token.
type credentials struct {
	secretID, secretKey, token string
	source                     string    // where they came from, for logs and errors
	expires                    time.Time // zero for long-lived credentials
	refreshAt                  time.Time // zero for long-lived credentials
}

func (c credentials) String() string { return "credentials from " + c.source }

func (c credentials) stale(now time.Time) bool {
	return !c.refreshAt.IsZero() && !now.Before(c.refreshAt)
}

// temporary stamps credentials that expire, refreshing them a quarter of their life (at most five
// minutes) before the end so that a call never goes out with credentials about to lapse.
func temporary(c credentials, now, expires time.Time) credentials {
	c.expires = expires
	lead := max(0, min(maxRefreshLead, expires.Sub(now)/4))
	c.refreshAt = expires.Add(-lead)
	return c
}

// credentialsFor returns the credentials that sign VOD calls, resolving or refreshing them when
// needed. Concurrent callers wait for a single resolution.
func (c *Client) credentialsFor(ctx context.Context) (credentials, error) {
	c.credMu.Lock()
	defer c.credMu.Unlock()
	now := c.clock()
	if c.callCreds != nil && !c.callCreds.stale(now) {
		return *c.callCreds, nil
	}
	if c.baseCreds == nil || c.baseCreds.stale(now) {
		base, err := c.resolveBaseCredentials(ctx)
		if err != nil {
			return credentials{}, err
		}
		c.baseCreds = &base
		c.logger.Debug(ctx, "vod: resolved credentials", map[string]any{"source": base.source})
	}
	signing := *c.baseCreds
	if ar := c.settings.assumeRole; ar != nil {
		assumed, err := c.assumeRole(ctx, *ar, *c.baseCreds)
		if err != nil {
			return credentials{}, err
		}
		signing = assumed
		c.logger.Debug(ctx, "vod: assumed role", map[string]any{"role_arn": ar.RoleARN, "session_name": ar.SessionName})
	}
	c.callCreds = &signing
	return signing, nil
}

// resolveBaseCredentials walks the chain documented in the package comment.
func (c *Client) resolveBaseCredentials(ctx context.Context) (credentials, error) {
	s := c.settings
	if s.explicit.secretID != "" {
		return credentials{secretID: s.explicit.secretID, secretKey: s.explicit.secretKey, token: s.explicit.token, source: "provider arguments"}, nil
	}
	if cred, ok, err := c.environmentCredentials(); ok || err != nil {
		return cred, err
	}
	if cred, ok, err := c.profileCredentials(); ok || err != nil {
		return cred, err
	}
	if s.camRoleName != "" {
		return c.cvmRoleCredentials(ctx, s.camRoleName)
	}
	return credentials{}, c.noCredentialsError()
}

func (c *Client) environmentCredentials() (credentials, bool, error) {
	id := strings.TrimSpace(c.getenv(EnvSecretID))
	key := strings.TrimSpace(c.getenv(EnvSecretKey))
	token := strings.TrimSpace(c.getenv(EnvSecurityToken))
	switch {
	case id == "" && key == "":
		return credentials{}, false, nil
	case id == "" || key == "":
		return credentials{}, false, fmt.Errorf("%s and %s must be set together; only one of them is set", EnvSecretID, EnvSecretKey)
	}
	return credentials{secretID: id, secretKey: key, token: token, source: "environment"}, true, nil
}

// profileFile is the JSON tccli writes to <profile>.credential (the official tencentcloud provider
// reads the same keys).
type profileFile struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"secretKey"`
	Token     string `json:"token"`
}

func (c *Client) profileCredentials() (credentials, bool, error) {
	s := c.settings
	if s.credentialsDir == "" {
		if s.profileExplicit {
			return credentials{}, false, fmt.Errorf("tccli profile %q cannot be read: no home directory to find ~/.tccli in (set argument %q or %s)", s.profile, "shared_credentials_dir", EnvSharedCredentialsDir)
		}
		return credentials{}, false, nil
	}
	path := filepath.Join(s.credentialsDir, s.profile+".credential")
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && !s.profileExplicit:
		return credentials{}, false, nil
	case errors.Is(err, os.ErrNotExist):
		return credentials{}, false, fmt.Errorf("tccli profile %q not found: %s does not exist (profile set by argument %q or %s; directory by argument %q or %s)",
			s.profile, path, "profile", EnvProfile, "shared_credentials_dir", EnvSharedCredentialsDir)
	case err != nil:
		return credentials{}, false, fmt.Errorf("reading tccli profile %q: %w", s.profile, err)
	}
	var f profileFile
	if err := json.Unmarshal(data, &f); err != nil {
		// The decoder's message may quote file content; the file holds a secret key.
		return credentials{}, false, fmt.Errorf("tccli profile file %s is not valid JSON", path)
	}
	f.SecretID, f.SecretKey, f.Token = strings.TrimSpace(f.SecretID), strings.TrimSpace(f.SecretKey), strings.TrimSpace(f.Token)
	if f.SecretID == "" || f.SecretKey == "" {
		return credentials{}, false, fmt.Errorf("tccli profile file %s must contain \"secretId\" and \"secretKey\"", path)
	}
	return credentials{secretID: f.SecretID, secretKey: f.SecretKey, token: f.Token, source: fmt.Sprintf("tccli profile %q", s.profile)}, true, nil
}

// metadataCredentials is the CVM metadata service's answer for a role.
type metadataCredentials struct {
	TmpSecretID  string `json:"TmpSecretId"`
	TmpSecretKey string `json:"TmpSecretKey"`
	Token        string `json:"Token"`
	ExpiredTime  int64  `json:"ExpiredTime"`
	Expiration   string `json:"Expiration"`
	Code         string `json:"Code"`
}

func (c *Client) cvmRoleCredentials(ctx context.Context, role string) (credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	target := c.settings.metadataEndpoint.String() + "/latest/meta-data/cam/security-credentials/" + url.PathEscape(role)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("CVM role %q (argument %q or %s): "+format, append([]any{role, "cam_role_name", EnvCAMRoleName}, args...)...)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return credentials{}, fail("%v", err)
	}
	hc := &http.Client{
		Transport:     c.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := hc.Do(req)
	if err != nil {
		return credentials{}, fail("metadata service %s did not answer (is this a CVM instance?): %v", c.settings.metadataEndpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return credentials{}, fail("reading the metadata response: %v", err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return credentials{}, fail("the role is not bound to this instance (metadata service answered %s)", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return credentials{}, fail("metadata service answered %s", resp.Status)
	}
	var m metadataCredentials
	if err := json.Unmarshal(body, &m); err != nil {
		return credentials{}, fail("metadata service answered with a body that is not credentials JSON")
	}
	if m.Code != "" && m.Code != "Success" {
		return credentials{}, fail("metadata service answered code %q", m.Code)
	}
	if m.TmpSecretID == "" || m.TmpSecretKey == "" {
		return credentials{}, fail("metadata service answered without TmpSecretId and TmpSecretKey")
	}
	now := c.clock()
	cred := credentials{secretID: m.TmpSecretID, secretKey: m.TmpSecretKey, token: m.Token, source: fmt.Sprintf("CVM role %q", role)}
	return temporary(cred, now, reportedExpiry(now, m.ExpiredTime, m.Expiration)), nil
}

func reportedExpiry(now time.Time, unix int64, iso string) time.Time {
	if unix > 0 {
		return time.Unix(unix, 0)
	}
	if t, err := time.Parse(time.RFC3339, iso); err == nil {
		return t
	}
	return now.Add(fallbackLifetime)
}

func (c *Client) noCredentialsError() error {
	s := c.settings
	where := "~/.tccli/" + s.profile + ".credential"
	if s.credentialsDir != "" {
		where = filepath.Join(s.credentialsDir, s.profile+".credential")
	}
	return fmt.Errorf("%w: set arguments %q and %q (or %s and %s), "+
		"or use a tccli profile with arguments %q/%q (or %s/%s; looked for %s), "+
		"or on a CVM instance set argument %q (or %s)",
		ErrNoCredentials, "secret_id", "secret_key", EnvSecretID, EnvSecretKey,
		"profile", "shared_credentials_dir", EnvProfile, EnvSharedCredentialsDir, where,
		"cam_role_name", EnvCAMRoleName)
}

// assumeRoleRequest is STS AssumeRole's input (2018-08-13).
type assumeRoleRequest struct {
	RoleArn         string `json:"RoleArn"`
	RoleSessionName string `json:"RoleSessionName"`
	DurationSeconds uint64 `json:"DurationSeconds,omitempty"`
	Policy          string `json:"Policy,omitempty"`
	ExternalID      string `json:"ExternalId,omitempty"`
}

type assumeRoleResult struct {
	Credentials struct {
		Token        string `json:"Token"`
		TmpSecretID  string `json:"TmpSecretId"`
		TmpSecretKey string `json:"TmpSecretKey"`
	} `json:"Credentials"`
	ExpiredTime int64  `json:"ExpiredTime"`
	Expiration  string `json:"Expiration"`
	RequestID   string `json:"RequestId"`
}

func (r *assumeRoleResult) getRequestID() string { return r.RequestID }

// assumeRole exchanges base for the role's temporary credentials.
func (c *Client) assumeRole(ctx context.Context, ar AssumeRoleConfig, base credentials) (credentials, error) {
	req := assumeRoleRequest{
		RoleArn:         ar.RoleARN,
		RoleSessionName: ar.SessionName,
		DurationSeconds: uint64(ar.SessionDuration / time.Second),
		ExternalID:      ar.ExternalID,
	}
	if ar.Policy != "" {
		// STS documents Policy as URL-encoded; the official provider encodes it the same way.
		req.Policy = url.QueryEscape(ar.Policy)
	}
	var resp envelope[assumeRoleResult]
	useBase := func(context.Context) (credentials, error) { return base, nil }
	if err := c.call(ctx, stsService, c.settings.stsEndpoint, "AssumeRole", req, &resp, useBase); err != nil {
		return credentials{}, fmt.Errorf("assuming role %q with %s: %w", ar.RoleARN, base.source, err)
	}
	r := resp.Response
	if r.Credentials.TmpSecretID == "" || r.Credentials.TmpSecretKey == "" {
		return credentials{}, fmt.Errorf("assuming role %q: STS answered without credentials (RequestId: %s)", ar.RoleARN, r.RequestID)
	}
	now := c.clock()
	cred := credentials{
		secretID: r.Credentials.TmpSecretID, secretKey: r.Credentials.TmpSecretKey, token: r.Credentials.Token,
		source: fmt.Sprintf("role %q assumed with %s", ar.RoleARN, base.source),
	}
	return temporary(cred, now, reportedExpiry(now, r.ExpiredTime, r.Expiration)), nil
}
