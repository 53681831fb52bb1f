package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Environment variables read when the matching Config field is unset. The TENCENTCLOUD_* names are
// the ones the official tencentcloud provider and tccli use, so existing CI setups keep working.
const (
	EnvSecretID                  = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey                 = "TENCENTCLOUD_SECRET_KEY"
	EnvSecurityToken             = "TENCENTCLOUD_SECURITY_TOKEN"
	EnvRegion                    = "TENCENTCLOUD_REGION"
	EnvSubAppID                  = "TENCENTVOD_SUB_APP_ID"
	EnvDomain                    = "TENCENTCLOUD_DOMAIN"
	EnvEndpoint                  = "TENCENTVOD_ENDPOINT"
	EnvSTSEndpoint               = "TENCENTVOD_STS_ENDPOINT"
	EnvCOSEndpoint               = "TENCENTVOD_COS_ENDPOINT"
	EnvProfile                   = "TENCENTCLOUD_PROFILE"
	EnvSharedCredentialsDir      = "TENCENTCLOUD_SHARED_CREDENTIALS_DIR"
	EnvCAMRoleName               = "TENCENTCLOUD_CAM_ROLE_NAME"
	EnvAssumeRoleARN             = "TENCENTCLOUD_ASSUME_ROLE_ARN"
	EnvAssumeRoleSessionName     = "TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME"
	EnvAssumeRoleSessionDuration = "TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION"
	EnvAssumeRoleExternalID      = "TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID"
	EnvMaxRetries                = "TENCENTVOD_MAX_RETRIES"
	EnvRequestTimeout            = "TENCENTVOD_REQUEST_TIMEOUT"
	EnvRateLimit                 = "TENCENTVOD_RATE_LIMIT"
	EnvMetadataEndpoint          = "TENCENTVOD_METADATA_ENDPOINT"
)

// Defaults applied when neither the Config field nor its environment variable is set.
const (
	DefaultRegion                    = "ap-guangzhou"
	DefaultDomain                    = "tencentcloudapi.com"
	DefaultCOSEndpoint               = "https://{bucket}.cos.{region}.myqcloud.com"
	DefaultMaxRetries                = 5
	DefaultRequestTimeout            = 60 * time.Second
	DefaultRateLimit                 = 100.0
	DefaultAssumeRoleSessionDuration = 7200 * time.Second
	MaxAssumeRoleSessionDuration     = 43200 * time.Second
	DefaultProfile                   = "default"
	DefaultMetadataEndpoint          = "http://metadata.tencentyun.com"
)

// Config configures a Client. Every zero-valued field falls back to its environment variable and
// then to a default; see the package documentation for the order.
type Config struct {
	SecretID, SecretKey, SecurityToken string
	Region                             string
	SubAppID                           uint64

	// Domain is the root domain for the API hosts (vod.<Domain>, sts.<Domain>). Endpoint and
	// STSEndpoint, when set, override the host derived from it.
	Domain, Endpoint, STSEndpoint string
	// COSEndpoint is a URL template for bucket URLs with optional {bucket} and {region} placeholders.
	COSEndpoint string

	Profile, SharedCredentialsDir string
	CAMRoleName                   string
	AssumeRole                    *AssumeRoleConfig

	// MaxRetries is the number of retries after the first attempt; nil means unset, 0 disables them.
	MaxRetries     *int64
	RequestTimeout time.Duration
	// RateLimit is the client-side limit in requests per second over all calls of one Client.
	RateLimit float64
	UserAgent string
	Logger    Logger

	Clock            func() time.Time
	Getenv           func(string) string // nil = os.Getenv
	HomeDir          string              // "" = os.UserHomeDir()
	MetadataEndpoint string              // "" = TENCENTVOD_METADATA_ENDPOINT or DefaultMetadataEndpoint
}

// AssumeRoleConfig asks for the resolved credentials to be exchanged for a role's temporary
// credentials with STS AssumeRole.
type AssumeRoleConfig struct {
	RoleARN, SessionName string
	SessionDuration      time.Duration // 0 = TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION or 7200s
	Policy               string        // a CAM policy document, sent URL-encoded as STS requires
	ExternalID           string
}

// Logger receives the client's structured log lines. Fields never hold secrets.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Info(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Endpoint is a parsed API endpoint: a scheme ("http" or "https") and a host with optional port.
type Endpoint struct {
	Scheme string
	Host   string
}

// String returns the endpoint as scheme://host.
func (e Endpoint) String() string { return e.Scheme + "://" + e.Host }

// ParseEndpoint parses "scheme://host[:port]" or a bare "host[:port]" (which means https). A
// trailing "/" is accepted; any other path, a query, a fragment or user info is rejected because
// the API is always served from the root.
func ParseEndpoint(s string) (Endpoint, error) {
	return parseEndpoint(s, "https")
}

func parseEndpoint(s, defaultScheme string) (Endpoint, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return Endpoint{}, errors.New("must not be empty")
	}
	if !strings.Contains(raw, "://") {
		raw = defaultScheme + "://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, errors.New("not a URL of the form scheme://host[:port]")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return Endpoint{}, fmt.Errorf("scheme must be http or https, not %q", u.Scheme)
	}
	if u.User != nil {
		return Endpoint{}, errors.New("must not contain user info")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return Endpoint{}, errors.New("must not have a path, query or fragment (only scheme://host[:port])")
	}
	if err := checkHostPort(u.Host); err != nil {
		return Endpoint{}, err
	}
	return Endpoint{Scheme: scheme, Host: strings.ToLower(u.Host)}, nil
}

var hostnamePattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$`)

func checkHostPort(hostport string) error {
	if hostport == "" {
		return errors.New("missing host")
	}
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(hostport, "[") || strings.Count(hostport, ":") == 1 {
		return fmt.Errorf("invalid host:port %q", hostport)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("invalid port %q", port)
		}
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return nil
	}
	if !hostnamePattern.MatchString(host) {
		return fmt.Errorf("invalid host %q", host)
	}
	return nil
}

// ValidateDomain checks a root domain such as "tencentcloudapi.com" or "intl.tencentcloudapi.com".
func ValidateDomain(s string) error {
	if strings.Contains(s, "/") || strings.Contains(s, ":") {
		return errors.New("must be a bare domain name such as tencentcloudapi.com, without scheme, port or path")
	}
	if !hostnamePattern.MatchString(s) {
		return errors.New("must be a domain name such as tencentcloudapi.com")
	}
	return nil
}

var regionPattern = regexp.MustCompile(`^[a-z]+(-[a-z0-9]+)+$`)

// ValidateRegion checks the shape of a region name such as "ap-guangzhou" or "ap-beijing-1". It
// does not check that the region exists: the API answers that.
func ValidateRegion(s string) error {
	if !regionPattern.MatchString(s) {
		return errors.New("must look like ap-guangzhou (lowercase letters, digits and hyphens)")
	}
	return nil
}

var templatePlaceholder = regexp.MustCompile(`\{[^{}]*\}`)

// ValidateCOSEndpoint checks a bucket URL template: an http or https URL whose host may contain the
// placeholders {bucket} and {region}, with no path, query or fragment (the COS SDK would drop a
// path, so accepting one would silently send uploads elsewhere).
func ValidateCOSEndpoint(template string) error {
	for _, p := range templatePlaceholder.FindAllString(template, -1) {
		if p != "{bucket}" && p != "{region}" {
			return fmt.Errorf("unknown placeholder %s (only {bucket} and {region} are allowed)", p)
		}
	}
	sample := fillCOSTemplate(template, "examplebucket-1250000000", "ap-guangzhou")
	u, err := url.Parse(sample)
	if err != nil || !strings.Contains(template, "://") {
		return errors.New("must be a URL such as https://{bucket}.cos.{region}.myqcloud.com")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme must be http or https, not %q", u.Scheme)
	}
	if u.User != nil {
		return errors.New("must not contain user info")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return errors.New("must not have a path, query or fragment: object storage ignores it")
	}
	return checkHostPort(u.Host)
}

func fillCOSTemplate(template, bucket, region string) string {
	return strings.NewReplacer("{bucket}", bucket, "{region}", region).Replace(template)
}

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

// settingsError names the argument and the environment variable that can set a bad value.
func settingsError(what string, value any, argument, env string, reason error) error {
	return fmt.Errorf("invalid %s %s: %v (set by argument %q or %s)", what, quoteValue(value), reason, argument, env)
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// resolveSettings applies environment fallback, profile region and defaults, and validates.
func resolveSettings(cfg Config) (settings, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	pick := func(v, name string) string {
		if v != "" {
			return v
		}
		return env(name)
	}
	var s settings
	s.userAgent = cfg.UserAgent

	if err := resolveExplicitCredentials(cfg, &s); err != nil {
		return s, err
	}

	home := cfg.HomeDir
	s.profile = pick(cfg.Profile, EnvProfile)
	s.profileExplicit = s.profile != ""
	if s.profile == "" {
		s.profile = DefaultProfile
	}
	if strings.ContainsAny(s.profile, `/\`) || s.profile == "." || s.profile == ".." {
		return s, settingsError("profile", s.profile, "profile", EnvProfile, errors.New("must be a profile name, not a path"))
	}
	dir := pick(cfg.SharedCredentialsDir, EnvSharedCredentialsDir)
	if dir == "" || strings.HasPrefix(dir, "~") {
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil && dir != "" {
				return s, settingsError("shared credentials directory", dir, "shared_credentials_dir", EnvSharedCredentialsDir, errors.New("cannot expand ~: home directory unknown"))
			}
			home = h
		}
		switch {
		case dir == "" && home != "":
			dir = filepath.Join(home, ".tccli")
		case dir == "~" || strings.HasPrefix(dir, "~/") || strings.HasPrefix(dir, `~\`):
			dir = filepath.Join(home, dir[1:])
		case dir != "":
			return s, settingsError("shared credentials directory", dir, "shared_credentials_dir", EnvSharedCredentialsDir, errors.New("only ~ or ~/ may start the path"))
		}
	}
	s.credentialsDir = dir

	s.region = pick(cfg.Region, EnvRegion)
	if s.region == "" && s.credentialsDir != "" {
		r, err := profileRegion(filepath.Join(s.credentialsDir, s.profile+".configure"))
		if err != nil {
			return s, err
		}
		s.region = r
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if err := ValidateRegion(s.region); err != nil {
		return s, settingsError("region", s.region, "region", EnvRegion, err)
	}

	s.subAppID = cfg.SubAppID
	if s.subAppID == 0 {
		if v := env(EnvSubAppID); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return s, settingsError("sub app id", v, "sub_app_id", EnvSubAppID, errors.New("must be an integer"))
			}
			if n < 1 {
				return s, settingsError("sub app id", v, "sub_app_id", EnvSubAppID, errors.New("must be at least 1"))
			}
			s.subAppID = uint64(n)
		}
	}

	domain := pick(cfg.Domain, EnvDomain)
	if domain == "" {
		domain = DefaultDomain
	}
	if err := ValidateDomain(domain); err != nil {
		return s, settingsError("domain", domain, "domain", EnvDomain, err)
	}
	var err error
	if s.vodEndpoint, err = endpointSetting(pick(cfg.Endpoint, EnvEndpoint), "vod."+domain, "endpoint", EnvEndpoint); err != nil {
		return s, err
	}
	if s.stsEndpoint, err = endpointSetting(pick(cfg.STSEndpoint, EnvSTSEndpoint), "sts."+domain, "sts_endpoint", EnvSTSEndpoint); err != nil {
		return s, err
	}

	s.cosTemplate = pick(cfg.COSEndpoint, EnvCOSEndpoint)
	if s.cosTemplate == "" {
		s.cosTemplate = DefaultCOSEndpoint
	}
	if err := ValidateCOSEndpoint(s.cosTemplate); err != nil {
		return s, settingsError("cos endpoint", s.cosTemplate, "cos_endpoint", EnvCOSEndpoint, err)
	}
	s.cosTemplate = strings.TrimSuffix(s.cosTemplate, "/")

	s.camRoleName = pick(cfg.CAMRoleName, EnvCAMRoleName)
	if strings.ContainsAny(s.camRoleName, "/?#") {
		return s, settingsError("CAM role name", s.camRoleName, "cam_role_name", EnvCAMRoleName, errors.New("must not contain '/', '?' or '#'"))
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

	metadata := cfg.MetadataEndpoint
	if metadata == "" {
		metadata = env(EnvMetadataEndpoint)
	}
	if metadata == "" {
		metadata = DefaultMetadataEndpoint
	}
	// The metadata service is plain HTTP on a link-local name, so a bare host means http here.
	if s.metadataEndpoint, err = parseEndpoint(metadata, "http"); err != nil {
		return s, fmt.Errorf("invalid metadata endpoint %q: %v (set by Config.MetadataEndpoint or %s)", metadata, err, EnvMetadataEndpoint)
	}
	return s, nil
}

func resolveExplicitCredentials(cfg Config, s *settings) error {
	id, key, token := strings.TrimSpace(cfg.SecretID), strings.TrimSpace(cfg.SecretKey), strings.TrimSpace(cfg.SecurityToken)
	switch {
	case id != "" && key == "":
		return fmt.Errorf("argument %q is set but %q is not: set both (or neither, to use %s and %s)", "secret_id", "secret_key", EnvSecretID, EnvSecretKey)
	case id == "" && key != "":
		return fmt.Errorf("argument %q is set but %q is not: set both (or neither, to use %s and %s)", "secret_key", "secret_id", EnvSecretID, EnvSecretKey)
	case id == "" && token != "":
		return fmt.Errorf("argument %q is set without %q and %q: a security token only goes with the temporary secret id and key it was issued with", "security_token", "secret_id", "secret_key")
	}
	s.explicit = staticCredentials{secretID: id, secretKey: key, token: token}
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

func resolveAssumeRole(cfg *AssumeRoleConfig, env func(string) string) (*AssumeRoleConfig, error) {
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
		if v := env(EnvAssumeRoleSessionDuration); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, settingsError("assume role session duration", v, "assume_role.session_duration", EnvAssumeRoleSessionDuration, errors.New("must be a whole number of seconds"))
			}
			if n < 1 || n > int64(MaxAssumeRoleSessionDuration/time.Second) {
				return nil, settingsError("assume role session duration", v, "assume_role.session_duration", EnvAssumeRoleSessionDuration, errors.New("must be between 1 and 43200 seconds"))
			}
			ar.SessionDuration = time.Duration(n) * time.Second
		} else {
			ar.SessionDuration = DefaultAssumeRoleSessionDuration
		}
	}
	if ar.SessionDuration < time.Second || ar.SessionDuration > MaxAssumeRoleSessionDuration {
		return nil, settingsError("assume role session duration", ar.SessionDuration.String(), "assume_role.session_duration", EnvAssumeRoleSessionDuration, errors.New("must be between 1 and 43200 seconds"))
	}
	if ar.ExternalID == "" {
		ar.ExternalID = env(EnvAssumeRoleExternalID)
	}
	return &ar, nil
}

// MaxRetriesLimit bounds max_retries: past it the retry budget ends a call first anyway, so a larger
// value would only mislead.
const MaxRetriesLimit = 20

func resolveMaxRetries(v *int64, envValue string) (int, error) {
	n := int64(DefaultMaxRetries)
	switch {
	case v != nil:
		n = *v
	case envValue != "":
		parsed, err := strconv.ParseInt(envValue, 10, 64)
		if err != nil {
			return 0, settingsError("max retries", envValue, "max_retries", EnvMaxRetries, errors.New("must be an integer"))
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
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return 0, settingsError("request timeout", envValue, "request_timeout", EnvRequestTimeout, errors.New("must be a number of seconds"))
	}
	if secs < 0 {
		return 0, settingsError("request timeout", envValue, "request_timeout", EnvRequestTimeout, errors.New("must not be negative"))
	}
	if secs == 0 {
		return DefaultRequestTimeout, nil
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
	n, err := strconv.ParseFloat(envValue, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, settingsError("rate limit", envValue, "rate_limit", EnvRateLimit, errors.New("must be a number of requests per second"))
	}
	if n < 0 {
		return 0, settingsError("rate limit", envValue, "rate_limit", EnvRateLimit, errors.New("must not be negative"))
	}
	if n == 0 {
		return DefaultRateLimit, nil
	}
	return n, nil
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
