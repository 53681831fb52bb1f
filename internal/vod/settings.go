package vod

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// settings are the Config values after environment fallback, defaults and validation.
type settings struct {
	region           string
	subAppID         uint64
	vodEndpoint      Endpoint
	stsEndpoint      Endpoint
	cosTemplate      string
	profile          string
	profileExplicit  bool
	credentialsDir   string
	camRoleName      string
	assumeRole       *AssumeRoleConfig
	maxRetries       int
	requestTimeout   time.Duration
	rateLimit        float64
	metadataEndpoint Endpoint
	explicit         staticCredentials
	userAgent        string
}

// staticCredentials is a long-lived or caller-provided credential set.
type staticCredentials struct {
	secretID, secretKey, token string
}

// Bounds of the numeric settings, the same for the provider arguments and their environment variables.
const (
	// MaxRetriesLimit bounds max_retries: past it the retry budget ends a call first anyway, so a
	// larger value would only mislead.
	MaxRetriesLimit   = 20
	MaxRequestTimeout = time.Hour
)

// settingsError names the argument and the environment variable that can set a bad value.
func settingsError(what string, value any, argument, env string, reason error) error {
	return fmt.Errorf("invalid %s %s: %v (set by argument %q or %s)", what, quoteValue(value), reason, argument, env)
}

// envError names the environment variable a bad value came from, and the argument that could set it
// instead.
func envError(env, value, argument, allowed string) error {
	return fmt.Errorf("invalid environment variable %s=%s: must be %s (or set the provider argument %q)", env, strconv.Quote(value), allowed, argument)
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// resolveSettings applies environment fallback, profile region and defaults, and validates. Each step
// is one setting or a group that depends on each other (the profile, its directory and the region).
func resolveSettings(cfg Config) (settings, error) {
	env := newEnvironment(cfg.Getenv)
	s := settings{userAgent: cfg.UserAgent}
	var err error
	if s.explicit, err = resolveExplicitCredentials(cfg); err != nil {
		return s, err
	}
	if err := s.resolveProfileAndRegion(cfg, env); err != nil {
		return s, err
	}
	if s.subAppID, err = resolveSubAppID(cfg.SubAppID, env(EnvSubAppID)); err != nil {
		return s, err
	}
	if err := s.resolveEndpoints(cfg, env); err != nil {
		return s, err
	}
	if s.camRoleName, err = resolveCAMRoleName(env.or(cfg.CAMRoleName, EnvCAMRoleName)); err != nil {
		return s, err
	}
	if s.assumeRole, err = resolveAssumeRole(cfg.AssumeRole, env); err != nil {
		return s, err
	}
	if s.maxRetries, err = resolveMaxRetries(cfg.MaxRetries, env(EnvMaxRetries)); err != nil {
		return s, err
	}
	if s.requestTimeout, err = resolveRequestTimeout(cfg.RequestTimeout, env(EnvRequestTimeout)); err != nil {
		return s, err
	}
	if s.rateLimit, err = resolveRateLimit(cfg.RateLimit, env(EnvRateLimit)); err != nil {
		return s, err
	}
	return s, nil
}

func resolveExplicitCredentials(cfg Config) (staticCredentials, error) {
	id, key, token := strings.TrimSpace(cfg.SecretID), strings.TrimSpace(cfg.SecretKey), strings.TrimSpace(cfg.SecurityToken)
	switch {
	case id != "" && key == "":
		return staticCredentials{}, fmt.Errorf("argument %q is set but %q is not: set both (or neither, to use %s and %s)", "secret_id", "secret_key", EnvSecretID, EnvSecretKey)
	case id == "" && key != "":
		return staticCredentials{}, fmt.Errorf("argument %q is set but %q is not: set both (or neither, to use %s and %s)", "secret_key", "secret_id", EnvSecretID, EnvSecretKey)
	case id == "" && token != "":
		return staticCredentials{}, fmt.Errorf("argument %q is set without %q and %q: a security token only goes with the temporary secret id and key it was issued with", "security_token", "secret_id", "secret_key")
	}
	return staticCredentials{secretID: id, secretKey: key, token: token}, nil
}

// resolveProfileAndRegion sets the tccli profile, its directory and the region, which falls back to
// the profile's.
func (s *settings) resolveProfileAndRegion(cfg Config, env environment) error {
	s.profile = env.or(cfg.Profile, EnvProfile)
	s.profileExplicit = s.profile != ""
	if s.profile == "" {
		s.profile = DefaultProfile
	}
	if strings.ContainsAny(s.profile, `/\`) || s.profile == "." || s.profile == ".." {
		return settingsError("profile", s.profile, "profile", EnvProfile, errors.New("must be a profile name, not a path"))
	}
	dir, err := resolveCredentialsDir(env.or(cfg.SharedCredentialsDir, EnvSharedCredentialsDir), cfg.HomeDir)
	if err != nil {
		return err
	}
	s.credentialsDir = dir

	s.region = env.or(cfg.Region, EnvRegion)
	if s.region == "" && s.credentialsDir != "" {
		if s.region, err = profileRegion(filepath.Join(s.credentialsDir, s.profile+".configure")); err != nil {
			return err
		}
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if err := ValidateRegion(s.region); err != nil {
		return settingsError("region", s.region, "region", EnvRegion, err)
	}
	return nil
}

// resolveCredentialsDir expands a leading ~ and defaults to ~/.tccli ("" when no home directory is known).
func resolveCredentialsDir(dir, home string) (string, error) {
	if dir != "" && !strings.HasPrefix(dir, "~") {
		return dir, nil
	}
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil && dir != "" {
			return "", settingsError("shared credentials directory", dir, "shared_credentials_dir", EnvSharedCredentialsDir, errors.New("cannot expand ~: home directory unknown"))
		}
		home = h
	}
	switch {
	case dir == "" && home != "":
		return filepath.Join(home, ".tccli"), nil
	case dir == "~" || strings.HasPrefix(dir, "~/") || strings.HasPrefix(dir, `~\`):
		return filepath.Join(home, dir[1:]), nil
	case dir != "":
		return "", settingsError("shared credentials directory", dir, "shared_credentials_dir", EnvSharedCredentialsDir, errors.New("only ~ or ~/ may start the path"))
	}
	return "", nil
}

func resolveSubAppID(v uint64, envValue string) (uint64, error) {
	if v != 0 || envValue == "" {
		return v, nil
	}
	n, err := strconv.ParseInt(envValue, 10, 64)
	if err != nil {
		return 0, settingsError("sub app id", envValue, "sub_app_id", EnvSubAppID, errors.New("must be an integer"))
	}
	if n < 1 {
		return 0, settingsError("sub app id", envValue, "sub_app_id", EnvSubAppID, errors.New("must be at least 1"))
	}
	return uint64(n), nil
}

// resolveEndpoints sets the VOD and STS endpoints (from the domain unless given), the COS bucket URL
// template and the CVM metadata endpoint.
func (s *settings) resolveEndpoints(cfg Config, env environment) error {
	domain := env.or(cfg.Domain, EnvDomain)
	if domain == "" {
		domain = DefaultDomain
	}
	if err := ValidateDomain(domain); err != nil {
		return settingsError("domain", domain, "domain", EnvDomain, err)
	}
	var err error
	if s.vodEndpoint, err = endpointSetting(env.or(cfg.Endpoint, EnvEndpoint), "vod."+domain, "endpoint", EnvEndpoint); err != nil {
		return err
	}
	if s.stsEndpoint, err = endpointSetting(env.or(cfg.STSEndpoint, EnvSTSEndpoint), "sts."+domain, "sts_endpoint", EnvSTSEndpoint); err != nil {
		return err
	}

	s.cosTemplate = env.or(cfg.COSEndpoint, EnvCOSEndpoint)
	if s.cosTemplate == "" {
		s.cosTemplate = DefaultCOSEndpoint
	}
	if err := ValidateCOSEndpoint(s.cosTemplate); err != nil {
		return settingsError("cos endpoint", s.cosTemplate, "cos_endpoint", EnvCOSEndpoint, err)
	}
	s.cosTemplate = strings.TrimSuffix(s.cosTemplate, "/")

	metadata := env.or(cfg.MetadataEndpoint, EnvMetadataEndpoint)
	if metadata == "" {
		metadata = DefaultMetadataEndpoint
	}
	// The metadata service is plain HTTP on a link-local name, so a bare host means http here.
	if s.metadataEndpoint, err = parseEndpoint(metadata, "http"); err != nil {
		return fmt.Errorf("invalid metadata endpoint %q: %v (set by Config.MetadataEndpoint or %s)", metadata, err, EnvMetadataEndpoint)
	}
	return nil
}

func endpointSetting(value, fallbackHost, argument, env string) (Endpoint, error) {
	if value == "" {
		return Endpoint{Scheme: "https", Host: fallbackHost}, nil
	}
	e, err := ParseEndpoint(value)
	if err != nil {
		return Endpoint{}, settingsError(strings.ReplaceAll(argument, "_", " "), value, argument, env, err)
	}
	return e, nil
}

func resolveCAMRoleName(name string) (string, error) {
	if strings.ContainsAny(name, "/?#") {
		return "", settingsError("CAM role name", name, "cam_role_name", EnvCAMRoleName, errors.New("must not contain '/', '?' or '#'"))
	}
	return name, nil
}

func resolveAssumeRole(cfg *AssumeRoleConfig, env environment) (*AssumeRoleConfig, error) {
	var ar AssumeRoleConfig
	switch {
	case cfg != nil:
		ar = *cfg
		ar.RoleARN, ar.SessionName = strings.TrimSpace(ar.RoleARN), strings.TrimSpace(ar.SessionName)
		if ar.RoleARN == "" || ar.SessionName == "" {
			return nil, fmt.Errorf("assume_role needs both %q and %q", "role_arn", "session_name")
		}
	default:
		arn, name := env(EnvAssumeRoleARN), env(EnvAssumeRoleSessionName)
		if arn == "" && name == "" {
			return nil, nil
		}
		if arn == "" || name == "" {
			return nil, fmt.Errorf("assume role from the environment needs both %s and %s", EnvAssumeRoleARN, EnvAssumeRoleSessionName)
		}
		ar.RoleARN, ar.SessionName = arn, name
	}
	if ar.SessionDuration == 0 {
		d, err := sessionDurationFromEnv(env(EnvAssumeRoleSessionDuration))
		if err != nil {
			return nil, err
		}
		ar.SessionDuration = d
	}
	if ar.SessionDuration < time.Second || ar.SessionDuration > MaxAssumeRoleSessionDuration {
		return nil, settingsError("assume role session duration", ar.SessionDuration.String(), "assume_role.session_duration", EnvAssumeRoleSessionDuration, errors.New("must be between 1 and 43200 seconds"))
	}
	if ar.ExternalID == "" {
		ar.ExternalID = env(EnvAssumeRoleExternalID)
	}
	return &ar, nil
}

func sessionDurationFromEnv(v string) (time.Duration, error) {
	if v == "" {
		return DefaultAssumeRoleSessionDuration, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, settingsError("assume role session duration", v, "assume_role.session_duration", EnvAssumeRoleSessionDuration, errors.New("must be a whole number of seconds"))
	}
	if n < 1 || n > int64(MaxAssumeRoleSessionDuration/time.Second) {
		return 0, settingsError("assume role session duration", v, "assume_role.session_duration", EnvAssumeRoleSessionDuration, errors.New("must be between 1 and 43200 seconds"))
	}
	return time.Duration(n) * time.Second, nil
}

// The numeric settings below take the Config field when it is set (the provider has validated its
// arguments already), else their environment variable, checked against the same bounds as the argument.

func resolveMaxRetries(v *int64, envValue string) (int, error) {
	n := int64(DefaultMaxRetries)
	switch {
	case v != nil:
		n = *v
	case envValue != "":
		parsed, err := strconv.ParseInt(envValue, 10, 64)
		if err != nil || parsed < 0 || parsed > MaxRetriesLimit {
			return 0, envError(EnvMaxRetries, envValue, "max_retries", fmt.Sprintf("a whole number from 0 to %d", MaxRetriesLimit))
		}
		n = parsed
	}
	if n < 0 {
		return 0, settingsError("max retries", n, "max_retries", EnvMaxRetries, errors.New("must not be negative"))
	}
	if n > MaxRetriesLimit {
		return 0, settingsError("max retries", n, "max_retries", EnvMaxRetries, fmt.Errorf("must be at most %d", MaxRetriesLimit))
	}
	return int(n), nil
}

func resolveRequestTimeout(v time.Duration, envValue string) (time.Duration, error) {
	if v < 0 {
		return 0, settingsError("request timeout", v.String(), "request_timeout", EnvRequestTimeout, errors.New("must not be negative"))
	}
	if v > 0 {
		return v, nil
	}
	if envValue == "" {
		return DefaultRequestTimeout, nil
	}
	secs, err := strconv.ParseFloat(envValue, 64)
	maxSecs := MaxRequestTimeout.Seconds()
	if err != nil || math.IsNaN(secs) || secs < 1 || secs > maxSecs {
		return 0, envError(EnvRequestTimeout, envValue, "request_timeout", fmt.Sprintf("a number of seconds from 1 to %.0f", maxSecs))
	}
	return time.Duration(secs * float64(time.Second)), nil
}

func resolveRateLimit(v float64, envValue string) (float64, error) {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, settingsError("rate limit", v, "rate_limit", EnvRateLimit, errors.New("must be a positive number of requests per second"))
	}
	if v > 0 {
		return v, nil
	}
	if envValue == "" {
		return DefaultRateLimit, nil
	}
	n, err := strconv.ParseInt(envValue, 10, 64)
	if err != nil || n < 1 {
		return 0, envError(EnvRateLimit, envValue, "rate_limit", "a whole number of calls per second, at least 1")
	}
	return float64(n), nil
}

// profileRegion reads _sys_param.region from a tccli configure file; a missing file means "".
func profileRegion(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading tccli configure file %s: %w", path, err)
	}
	var doc struct {
		SysParam struct {
			Region string `json:"region"`
		} `json:"_sys_param"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("tccli configure file %s is not valid JSON: %v", path, err)
	}
	return strings.TrimSpace(doc.SysParam.Region), nil
}
