package emulator

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// AssumeRoleRequest holds the STS AssumeRole (2018-08-13) parameters.
type AssumeRoleRequest struct {
	RoleArn         string   `json:"RoleArn"`
	RoleSessionName string   `json:"RoleSessionName"`
	DurationSeconds *uint64  `json:"DurationSeconds,omitempty"` // unsigned: a negative value is a type error
	Policy          string   `json:"Policy,omitempty"`
	ExternalID      string   `json:"ExternalId,omitempty"`
	Tags            []stsTag `json:"Tags,omitempty"`
	SourceIdentity  string   `json:"SourceIdentity,omitempty"`
}

type stsTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type assumeRoleResponse struct {
	Credentials struct {
		Token        string `json:"Token"`
		TmpSecretID  string `json:"TmpSecretId"`
		TmpSecretKey string `json:"TmpSecretKey"`
	} `json:"Credentials"`
	ExpiredTime int64  `json:"ExpiredTime"`
	Expiration  string `json:"Expiration"`
}

// Limits from the AssumeRole reference (sts/v20180813 models).
const (
	defaultRoleDuration = 7200 * time.Second
	maxRoleDuration     = 43200 * time.Second
	maxPolicyChars      = 2048
)

var (
	// roleARNPattern accepts the documented forms: qcs::cam::uin/<uin>:roleName/<name>,
	// qcs::cam::uin/<uin>:role/<role id>, and the two service-role forms.
	roleARNPattern = regexp.MustCompile(`^qcs::cam::uin/[0-9]+:(roleName/[\w+=,.@-]{1,128}|role/[0-9]+|` +
		`role/tencentcloudServiceRole/[0-9]+|role/tencentcloudServiceRoleName/[\w+=,.@-]{1,128})$`)
	roleSessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)
	externalIDPattern      = regexp.MustCompile(`^[\w+=,.@:/-]{2,128}$`)
)

// assumeRole implements STS AssumeRole: it mints temporary credentials that the API accepts (with
// X-TC-Token) until they expire. The caller may sign with a long-term key or temporary credentials.
func (s *Server) assumeRole(call *apiCall) (any, *apiError) {
	var req AssumeRoleRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.RoleArn == "" {
		return nil, errMissingParameter("RoleArn")
	}
	if req.RoleSessionName == "" {
		return nil, errMissingParameter("RoleSessionName")
	}
	if !roleARNPattern.MatchString(req.RoleArn) {
		return nil, newAPIError(CodeSTSParamError,
			"RoleArn `%s` is not a valid role ARN such as qcs::cam::uin/12345678:roleName/testRoleName.", req.RoleArn)
	}
	if !roleSessionNamePattern.MatchString(req.RoleSessionName) {
		return nil, newAPIError(CodeSTSParamError,
			"RoleSessionName must be 2 to 128 characters of letters, digits and =,.@_-.")
	}
	duration, apiErr := roleDuration(req.DurationSeconds)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkSessionPolicy(req.Policy); apiErr != nil {
		return nil, apiErr
	}
	if req.ExternalID != "" && !externalIDPattern.MatchString(req.ExternalID) {
		return nil, newAPIError(CodeSTSParamError,
			"ExternalId must be 2 to 128 characters of letters, digits and =,.@:/_-.")
	}
	if apiErr := s.checkRoleTrust(req.RoleArn, req.ExternalID); apiErr != nil {
		return nil, apiErr
	}
	expires := call.Now.Add(duration)
	secretID, cred := s.creds.mintTemporary("sts:"+req.RoleArn, expires)
	var resp assumeRoleResponse
	resp.Credentials.Token = cred.Token
	resp.Credentials.TmpSecretID = secretID
	resp.Credentials.TmpSecretKey = cred.SecretKey
	resp.ExpiredTime = expires.Unix()
	resp.Expiration = expires.UTC().Format(time.RFC3339)
	return resp, nil
}

// roleDuration applies the documented default (7200 s) and maximum (43200 s). 0 means the default.
// DurationSeconds is an unsigned integer, so the decoder already refused negative values.
func roleDuration(seconds *uint64) (time.Duration, *apiError) {
	if seconds == nil || *seconds == 0 {
		return defaultRoleDuration, nil
	}
	if *seconds > uint64(maxRoleDuration/time.Second) {
		return 0, newAPIError(CodeSTSOverTimeError, "DurationSeconds must be between 0 and 43200, got %d.", *seconds)
	}
	return time.Duration(*seconds) * time.Second, nil
}

// checkSessionPolicy validates the optional inline policy. It arrives URL-encoded; the length limit is
// applied to the value as sent ([UNCONFIRMED] whether STS measures it before or after decoding). The
// decoded policy must be CAM policy JSON (version + statement) without a principal element.
func checkSessionPolicy(policy string) *apiError {
	if policy == "" {
		return nil
	}
	if n := len([]rune(policy)); n > maxPolicyChars {
		return newAPIError(CodeSTSPolicyTooLong, "Policy is %d characters long; the limit is %d.", n, maxPolicyChars)
	}
	decoded, err := url.QueryUnescape(policy)
	if err != nil {
		return newAPIError(CodeSTSStrategyFormatError, "Policy must be URL-encoded policy JSON.")
	}
	var document map[string]json.RawMessage
	if err := json.Unmarshal([]byte(decoded), &document); err != nil {
		return newAPIError(CodeSTSStrategyFormatError, "Policy is not valid JSON after URL decoding.")
	}
	if _, ok := document["version"]; !ok {
		return newAPIError(CodeSTSStrategyFormatError, "Policy must contain a version element.")
	}
	if _, ok := document["statement"]; !ok {
		return newAPIError(CodeSTSStrategyFormatError, "Policy must contain a statement element.")
	}
	if hasKeyFold(document, "principal") {
		return newAPIError(CodeSTSStrategyInvalid, "Policy must not contain a principal element.")
	}
	return checkPolicyStatements(document["statement"])
}

// checkPolicyStatements applies the CAM policy syntax to the statement element (one statement or a
// list): each statement needs an effect of allow or deny, an action and a resource.
func checkPolicyStatements(raw json.RawMessage) *apiError {
	var statements []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &statements); err != nil {
		var single map[string]json.RawMessage
		if json.Unmarshal(raw, &single) != nil {
			return newAPIError(CodeSTSStrategyFormatError, "Policy statement must be an object or a list of objects.")
		}
		statements = append(statements, single)
	}
	for i, statement := range statements {
		var effect string
		if json.Unmarshal(statement["effect"], &effect) != nil ||
			(!strings.EqualFold(effect, "allow") && !strings.EqualFold(effect, "deny")) {
			return newAPIError(CodeSTSStrategyFormatError, "Policy statement %d must have an effect of allow or deny.", i)
		}
		for _, element := range []string{"action", "resource"} {
			if _, ok := statement[element]; !ok {
				return newAPIError(CodeSTSStrategyFormatError, "Policy statement %d must have a %s element.", i, element)
			}
		}
	}
	return nil
}

// checkRoleTrust applies Options.Roles: with no roles configured any well-formed ARN may be assumed;
// otherwise the role must exist and its ExternalID, if any, must be sent.
func (s *Server) checkRoleTrust(roleARN, externalID string) *apiError {
	if s.opts.Roles == nil {
		return nil
	}
	role, ok := s.opts.Roles[roleARN]
	if !ok {
		return newAPIError(CodeSTSRoleNotFound, "The role `%s` does not exist.", roleARN)
	}
	if role.ExternalID != "" && role.ExternalID != externalID {
		return newAPIError(CodeAuthUnauthorizedOperation,
			"The ExternalId does not match the trust policy of role `%s`.", roleARN)
	}
	return nil
}

// hasKeyFold reports whether any object nested in document has a key equal to name, ignoring case.
func hasKeyFold(document map[string]json.RawMessage, name string) bool {
	for key, raw := range document {
		if strings.EqualFold(key, name) {
			return true
		}
		var value any
		if json.Unmarshal(raw, &value) == nil && anyHasKeyFold(value, name) {
			return true
		}
	}
	return false
}

func anyHasKeyFold(value any, name string) bool {
	switch v := value.(type) {
	case map[string]any:
		for key, nested := range v {
			if strings.EqualFold(key, name) || anyHasKeyFold(nested, name) {
				return true
			}
		}
	case []any:
		for _, nested := range v {
			if anyHasKeyFold(nested, name) {
				return true
			}
		}
	}
	return false
}
