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
	if strings.HasPrefix(apiErr.Code, "ClientError.") {
		fmt.Fprintf(&detail, "The provider got no valid answer from the API for %s.\n\n", apiErr.Action)
	} else {
		fmt.Fprintf(&detail, "The API returned an error for %s.\n\n", apiErr.Action)
	}
	fmt.Fprintf(&detail, "Action:     %s\n", apiErr.Action)
	fmt.Fprintf(&detail, "Error code: %s\n", apiErr.Code)
	fmt.Fprintf(&detail, "Message:    %s\n", apiErr.Message)
	fmt.Fprintf(&detail, "RequestId:  %s\n", valueOrNone(apiErr.RequestID))
	if errors.Is(err, context.DeadlineExceeded) {
		detail.WriteString("\nThe operation ran out of time. Raise the timeouts block's value (or the provider's " +
			"request_timeout), or check that the endpoint answers.")
	} else if hint := hintForCode(apiErr.Code); hint != "" {
		detail.WriteString("\n" + hint)
	}
	return diag.NewErrorDiagnostic(summary, detail.String())
}

// hintForCode suggests a remedy for the errors users most often meet.
func hintForCode(code string) string {
	switch {
	case strings.HasPrefix(code, "AuthFailure"):
		return "Check the credentials: the secret_id/secret_key arguments, the TENCENTCLOUD_SECRET_ID and " +
			"TENCENTCLOUD_SECRET_KEY environment variables, the tccli profile or the assumed role."
	case code == "InvalidParameterValue.SubAppId":
		return "Check sub_app_id (on the resource or the provider, or TENCENTVOD_SUB_APP_ID): accounts that " +
			"activated VOD on or after 2023-12-25 must name an application ID on every call."
	case strings.HasPrefix(code, "RequestLimitExceeded"):
		return "The API's rate limit was still exceeded after the provider's retries. Lower rate_limit or raise max_retries."
	case strings.HasPrefix(code, "UnauthorizedOperation"):
		return "The credentials are valid but lack permission for this action: grant the CAM policy QcloudVODFullAccess " +
			"or an equivalent one."
	case strings.HasPrefix(code, "ClientError."):
		return "The provider could not get a valid answer from the API endpoint. Check endpoint, domain and the network."
	}
	return ""
}

func valueOrNone(s string) string {
	if s == "" {
		return "(none: the API did not answer)"
	}
	return s
}
