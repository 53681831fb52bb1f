package vod

import (
	"os"
	"strings"
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

// environment reads variables through Config.Getenv, trimmed of surrounding space.
type environment func(string) string

func newEnvironment(getenv func(string) string) environment {
	if getenv == nil {
		getenv = os.Getenv
	}
	return func(name string) string { return strings.TrimSpace(getenv(name)) }
}

// or returns value when it is set, else the variable name's value.
func (env environment) or(value, name string) string {
	if value != "" {
		return value
	}
	return env(name)
}
