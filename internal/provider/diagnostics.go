package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// apiErrorDiagnostic turns a failed client call into a diagnostic. For an API error it shows the action,
// the API's error code, its message and the RequestId (what Tencent Cloud support asks for), and a hint
// for the common causes. The client's errors never carry secrets.
func apiErrorDiagnostic(summary string, err error) diag.Diagnostic {
	if errors.Is(err, vod.ErrNoCredentials) {
		return diag.NewErrorDiagnostic("Missing Tencent Cloud Credentials", err.Error())
	}
	var apiErr *vod.APIError
	if !errors.As(err, &apiErr) {
		return diag.NewErrorDiagnostic(summary, "Original Error: "+err.Error())
	}

	var detail strings.Builder
	detail.WriteString(opening(apiErr) + "\n\n")
	fmt.Fprintf(&detail, "Action:     %s\n", apiErr.Action)
	fmt.Fprintf(&detail, "Error code: %s\n", apiErr.Code)
	fmt.Fprintf(&detail, "Message:    %s\n", apiErr.Message)
	fmt.Fprintf(&detail, "RequestId:  %s\n", requestIDOrWhyNone(apiErr))
	switch hint := hintForCode(apiErr.Code); {
	case strings.HasPrefix(apiErr.Code, "RequestLimitExceeded"):
		// Throttling is retried until the time runs out, so its hint explains a deadline too.
		detail.WriteString("\n" + hint)
	case errors.Is(err, context.DeadlineExceeded):
		detail.WriteString("\nThe operation ran out of time. Raise the timeouts block's value (or the provider's " +
			"request_timeout), or check that the endpoint answers.")
	case hint != "":
		detail.WriteString("\n" + hint)
	}
	return diag.NewErrorDiagnostic(summary, detail.String())
}

// opening says in one sentence whether the API answered and how.
func opening(apiErr *vod.APIError) string {
	switch {
	case !strings.HasPrefix(apiErr.Code, "ClientError."):
		return fmt.Sprintf("The API returned an error for %s.", apiErr.Action)
	case apiErr.HTTPStatus() != 0:
		return fmt.Sprintf("The endpoint answered %s with HTTP %d, but not with an API response.", apiErr.Action, apiErr.HTTPStatus())
	case apiErr.Code == vod.CodeRequestNotSent:
		return fmt.Sprintf("The provider did not send %s.", apiErr.Action)
	default:
		return fmt.Sprintf("The provider got no answer from the API for %s.", apiErr.Action)
	}
}

// authFailureHints name the cause of each AuthFailure code (the API's common error codes).
var authFailureHints = map[string]string{
	"AuthFailure.SignatureExpire": "The request's timestamp is more than 5 minutes away from the API's clock: this machine's " +
		"clock is off. Synchronise it (NTP, e.g. `timedatectl set-ntp true` or chrony) and run again; the credentials are not the problem.",
	"AuthFailure.SignatureFailure": "The request's signature does not match: the secret key does not belong to the secret ID " +
		"(check secret_key, TENCENTCLOUD_SECRET_KEY or the tccli profile), or a proxy changed the request on the way.",
	"AuthFailure.SecretIdNotFound": "The secret ID does not exist or its key is disabled: check secret_id " +
		"(or TENCENTCLOUD_SECRET_ID, the tccli profile) and that the key is enabled in the CAM console.",
	"AuthFailure.InvalidSecretId": "The secret ID is not a Tencent Cloud API key: check secret_id (or TENCENTCLOUD_SECRET_ID, " +
		"the tccli profile).",
	"AuthFailure.TokenFailure": "The security token was refused: temporary credentials expired or the token does not belong to " +
		"the secret ID and key it came with. Refresh security_token (or TENCENTCLOUD_SECURITY_TOKEN) together with them.",
	"AuthFailure.MFAFailure": "The account requires multi-factor authentication for this key: use a key or role that does not, " +
		"or complete MFA.",
	"AuthFailure.InvalidAuthorization": "The Authorization header was malformed. A proxy between the provider and the API may " +
		"have rewritten it; check the endpoint.",
	"AuthFailure.UnauthorizedOperation": "The credentials are valid but CAM does not allow this action: grant the CAM policy " +
		"QcloudVODFullAccess or an equivalent one.",
}

// classHints name the remedy for the refusals of a class or a task flow that does not fit.
var classHints = map[string]string{
	"FailedOperation.ClassNameDuplicate": "Another class under the same parent already has this name: choose another " +
		"name, or import the existing class (terraform import tencentvod_class.<name> <class_id>; the tencentvod_classes " +
		"data source lists the class IDs).",
	"FailedOperation.ClassLevelLimitExceeded": fmt.Sprintf("VOD allows at most %d levels of classes: choose a parent "+
		"nearer the top of the tree.", vod.MaxClassLevels),
	"FailedOperation.ParentIdNoFound": "The parent class does not exist (any more): check parent_id.",
	"FailedOperation.SubclassLimitExceeded": fmt.Sprintf("A class holds at most %d subclasses: choose another parent.",
		vod.MaxSubclasses),
	// ApplyUpload and ModifyMediaInfo refuse a class_id of tencentvod_media with it.
	"InvalidParameterValue.ClassId": "No class of the application has this ID (any more): check class_id. Use the " +
		"class_id of a tencentvod_class, or find one by its names with the path of the tencentvod_classes data source.",
	// ApplyUpload's refusal of a procedure it should start on commit.
	"InvalidParameter.ProcedureNameNotExist": "No task flow template of this name exists in the application: check " +
		"procedure (names are case-sensitive), or create the template first.",
}

// hintForCode suggests a remedy for the errors users most often meet.
func hintForCode(code string) string {
	if hint, ok := authFailureHints[code]; ok {
		return hint
	}
	if hint, ok := classHints[code]; ok {
		return hint
	}
	switch {
	case strings.HasPrefix(code, "AuthFailure"):
		return "Check the credentials: the secret_id/secret_key arguments, the TENCENTCLOUD_SECRET_ID and " +
			"TENCENTCLOUD_SECRET_KEY environment variables, the tccli profile or the assumed role."
	case code == "InvalidParameterValue.SubAppId":
		return "Check sub_app_id (on the resource or the provider, or TENCENTVOD_SUB_APP_ID): accounts that " +
			"activated VOD on or after 2023-12-25 must name an application ID on every call."
	case strings.HasPrefix(code, "RequestLimitExceeded"):
		return "The API kept refusing calls for its rate limit until the operation's time ran out (the timeouts block, or " +
			"2 minutes). Other clients share the account's per-action limit: run fewer applies at once, lower rate_limit, " +
			"or allow more time."
	case strings.HasPrefix(code, "UnauthorizedOperation"):
		return "The credentials are valid but lack permission for this action: grant the CAM policy QcloudVODFullAccess " +
			"or an equivalent one."
	case code == vod.CodeParseJSONError || code == vod.CodeHTTPStatusCodeError:
		return "Something other than the API answered: check endpoint and domain, and any proxy between the provider and the API."
	case code == vod.CodeRequestNotSent:
		return "The operation's time ran out while the provider waited for its own rate limit: allow more time or lower " +
			"the number of calls in one run."
	case strings.HasPrefix(code, "ClientError."):
		return "The provider could not get a valid answer from the API endpoint. Check endpoint, domain and the network."
	}
	return ""
}

// requestIDOrWhyNone is the RequestId, or why there is none.
func requestIDOrWhyNone(apiErr *vod.APIError) string {
	switch {
	case apiErr.RequestID != "":
		return apiErr.RequestID
	case apiErr.HTTPStatus() != 0:
		return "(none in the reply)"
	case apiErr.Code == vod.CodeRequestNotSent:
		return "(none: the request was not sent)"
	default:
		return "(none: no reply arrived)"
	}
}
