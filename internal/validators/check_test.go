package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestValidators(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		validator validator.String
		value     types.String
		wantError string // "" = valid
	}{
		{"endpoint with scheme and port", Endpoint(), types.StringValue("http://127.0.0.1:9000"), ""},
		{"endpoint bare host", Endpoint(), types.StringValue("vod.tencentcloudapi.com"), ""},
		{"endpoint trailing slash", Endpoint(), types.StringValue("https://vod.example.com/"), ""},
		{"endpoint with path", Endpoint(), types.StringValue("https://vod.example.com/v1"), "must not have a path"},
		{"endpoint ftp", Endpoint(), types.StringValue("ftp://vod.example.com"), "scheme must be http or https"},
		{"cos template", COSEndpoint(), types.StringValue("https://{bucket}.cos.{region}.myqcloud.com"), ""},
		{"cos single base URL", COSEndpoint(), types.StringValue("http://127.0.0.1:9000"), ""},
		{"cos unknown placeholder", COSEndpoint(), types.StringValue("https://{appid}.cos.example.com"), "unknown placeholder {appid}"},
		{"cos with path", COSEndpoint(), types.StringValue("http://127.0.0.1:9000/bucket"), "must not have a path"},
		{"region", Region(), types.StringValue("ap-beijing-1"), ""},
		{"region capitalised", Region(), types.StringValue("Ap-Guangzhou"), "must look like ap-guangzhou"},
		{"domain", Domain(), types.StringValue("intl.tencentcloudapi.com"), ""},
		{"domain with scheme", Domain(), types.StringValue("https://tencentcloudapi.com"), "without scheme"},
		{"policy", JSONObject(), types.StringValue(`{"version":"2.0","statement":[]}`), ""},
		{"policy array", JSONObject(), types.StringValue(`[]`), "cannot unmarshal array"},
		{"null is left to Required/Optional", Endpoint(), types.StringNull(), ""},
		{"unknown is checked once known", COSEndpoint(), types.StringUnknown(), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := validator.StringRequest{Path: path.Root("argument"), ConfigValue: tc.value}
			var resp validator.StringResponse
			tc.validator.ValidateString(context.Background(), req, &resp)
			switch {
			case tc.wantError == "" && resp.Diagnostics.HasError():
				t.Errorf("rejected: %v", resp.Diagnostics)
			case tc.wantError != "" && !resp.Diagnostics.HasError():
				t.Errorf("accepted; want an error containing %q", tc.wantError)
			case tc.wantError != "":
				detail := resp.Diagnostics[0].Detail()
				if !strings.Contains(detail, tc.wantError) || !strings.HasPrefix(detail, "Attribute argument value must be ") {
					t.Errorf("detail %q; want it to name the attribute, say what is allowed and contain %q", detail, tc.wantError)
				}
			}
		})
	}
}
