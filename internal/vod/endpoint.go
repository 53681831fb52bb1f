package vod

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

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
