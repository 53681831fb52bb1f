// Package provider is the Terraform glue of terraform-provider-tencentvod: provider configuration,
// schemas, models and diagnostics. Everything that talks to Tencent Cloud lives in internal/vod.
package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	listresource "github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/validators"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var (
	_ provider.Provider                       = (*tencentvodProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*tencentvodProvider)(nil)
	_ provider.ProviderWithListResources      = (*tencentvodProvider)(nil)
	_ provider.ProviderWithActions            = (*tencentvodProvider)(nil)
)

// Shapes of identifiers checked at validate time, so that a typo fails `terraform validate` instead of an API call.
var (
	roleARNPattern     = regexp.MustCompile(`^qcs::cam::uin/[0-9]+:roleName/[\w+=,.@-]+$`)
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)
)

// tencentvodProvider is the provider implementation. version is the release version, "dev" for local builds,
// and "test" in acceptance tests.
type tencentvodProvider struct {
	version string
}

// tencentvodProviderModel maps the provider block.
type tencentvodProviderModel struct {
	AssumeRole           types.List   `tfsdk:"assume_role"`
	CAMRoleName          types.String `tfsdk:"cam_role_name"`
	COSEndpoint          types.String `tfsdk:"cos_endpoint"`
	Domain               types.String `tfsdk:"domain"`
	Endpoint             types.String `tfsdk:"endpoint"`
	MaxRetries           types.Int64  `tfsdk:"max_retries"`
	Profile              types.String `tfsdk:"profile"`
	RateLimit            types.Int64  `tfsdk:"rate_limit"`
	Region               types.String `tfsdk:"region"`
	RequestTimeout       types.Int64  `tfsdk:"request_timeout"`
	SecretID             types.String `tfsdk:"secret_id"`
	SecretKey            types.String `tfsdk:"secret_key"`
	SecurityToken        types.String `tfsdk:"security_token"`
	SharedCredentialsDir types.String `tfsdk:"shared_credentials_dir"`
	STSEndpoint          types.String `tfsdk:"sts_endpoint"`
	SubAppID             types.Int64  `tfsdk:"sub_app_id"`
}

// assumeRoleModel maps one assume_role block.
type assumeRoleModel struct {
	ExternalID      types.String `tfsdk:"external_id"`
	Policy          types.String `tfsdk:"policy"`
	RoleARN         types.String `tfsdk:"role_arn"`
	SessionDuration types.Int64  `tfsdk:"session_duration"`
	SessionName     types.String `tfsdk:"session_name"`
}

// providerData is what Configure hands to every type. While the provider block depends on values known
// only after apply (during plan), there is no client: every type reaches the client through Client, or
// checks configKnown first, so that no code path can meet a nil client.
type providerData struct {
	client *vod.Client
	// unknownArguments names the provider arguments that were unknown, e.g. "secret_key" or
	// "assume_role[0].role_arn"; empty once the configuration is known.
	unknownArguments []string
	// expired: media that this instance's refresh found deleted by VOD after their expire_time.
	expired expiredMedia
}

// configKnown reports whether the provider's configuration is known, so that API calls can be made. It
// is false during a plan whose provider block depends on values known only after apply, and while
// validating, before the provider is configured (d is nil then).
func (d *providerData) configKnown() bool {
	return d != nil && d.client != nil
}

// Client returns the API client, or an error naming the unknown provider arguments when the
// configuration is not known yet. what says what cannot be done then ("Data source tencentvod_media
// cannot be read during plan").
func (d *providerData) Client(what string) (*vod.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d.configKnown() {
		return d.client, diags
	}
	diags.AddError("Provider Configuration Not Known",
		fmt.Sprintf("%s: %s. They must be known at plan for this: set them from values known "+
			"before apply (variables, data sources, or the TENCENTCLOUD_* environment variables), or create what "+
			"they depend on first, for example with terraform apply -target=<address>.", what, d.describeUnknown()))
	return nil, diags
}

// defaultSubAppID is the provider's sub_app_id as a plan value: unknown while the configuration is, null
// when none is configured (calls then carry no SubAppId: the account's default application).
func (d *providerData) defaultSubAppID() types.Int64 {
	switch {
	case !d.configKnown():
		return types.Int64Unknown()
	case d.client.SubAppID() == 0:
		return types.Int64Null()
	default:
		return types.Int64Value(int64(d.client.SubAppID()))
	}
}

// describeUnknown says which provider arguments are unknown, for messages.
func (d *providerData) describeUnknown() string {
	if d == nil || len(d.unknownArguments) == 0 {
		return "the provider is not configured yet"
	}
	return "the provider argument(s) " + strings.Join(d.unknownArguments, ", ") +
		" depend on values known only after apply"
}

// New returns a provider factory for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &tencentvodProvider{version: version}
	}
}

func (p *tencentvodProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "tencentvod"
	resp.Version = p.version
}

func (p *tencentvodProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Tencent Cloud VOD (Video on Demand) provider opens VOD upload sessions " +
			"(`ApplyUpload`) and hands their storage bucket, paths and temporary credentials to the rest of a " +
			"configuration without writing a secret to state or plan.",
		Attributes: map[string]schema.Attribute{
			"cam_role_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of the CAM role bound to the CVM instance Terraform runs on. When set, and no other " +
					"credentials are found, the provider fetches temporary credentials from the CVM metadata service. " +
					"The metadata service is never contacted unless this is set. Environment variable: `TENCENTCLOUD_CAM_ROLE_NAME`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"cos_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL template of the storage bucket that upload sessions point at, with optional `{bucket}` " +
					"and `{region}` placeholders. Default `https://{bucket}.cos.{region}.myqcloud.com`. A value without " +
					"`{bucket}` (for example `http://127.0.0.1:9000`, the local emulator) serves every bucket at one base URL. " +
					"Environment variable: `TENCENTVOD_COS_ENDPOINT`.",
				Validators: []validator.String{validators.COSEndpoint()},
			},
			"domain": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Root domain of the Tencent Cloud API: the provider calls `vod.<domain>` and `sts.<domain>`. " +
					"Default `tencentcloudapi.com`; use `intl.tencentcloudapi.com` for the international site. " +
					"Environment variable: `TENCENTCLOUD_DOMAIN`.",
				Validators: []validator.String{validators.Domain()},
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the VOD API, `scheme://host[:port]` (a bare host means https). Overrides `domain`. " +
					"For the local emulator and private endpoints. Environment variable: `TENCENTVOD_ENDPOINT`.",
				Validators: []validator.String{validators.Endpoint()},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many transient failures (a network failure, an HTTP 5xx, a reply that is not an API response) " +
					"a call retries, with jittered exponential backoff. Rate-limit refusals (`RequestLimitExceeded`) do not count: " +
					"the call did nothing, so it is retried at a lower rate for as long as the operation's timeout allows (2 minutes " +
					"without one). Default `5`; `0` disables retries of failures. Environment variable: `TENCENTVOD_MAX_RETRIES` " +
					"(0 to 20, like the argument).",
				Validators: []validator.Int64{int64validator.Between(0, vod.MaxRetriesLimit)},
			},
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "tccli profile to read credentials (and the region) from: `<shared_credentials_dir>/<profile>.credential`. " +
					"Default `default`. Environment variable: `TENCENTCLOUD_PROFILE`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"rate_limit": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Most calls per second this provider makes of any one API action. The VOD API limits each action " +
					"per account (100 calls per second for most, 20 for `ParseStreamingManifest`), and the provider never exceeds " +
					"those either. Each action's rate adapts: it drops when the API refuses calls for its rate limit (other " +
					"applies or tools sharing the account) and climbs back when the refusals stop. Lower it to leave a fixed " +
					"share of the account's limits to other tools. Default `100`. Environment variable: `TENCENTVOD_RATE_LIMIT` " +
					"(a whole number, at least 1).",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Region of the API calls (sent as `X-TC-Region`). Default: the profile's region, else `ap-guangzhou`. " +
					"Environment variable: `TENCENTCLOUD_REGION`.",
				Validators: []validator.String{validators.Region()},
			},
			"request_timeout": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Timeout of one HTTP request to the API, in seconds. Default `60`. " +
					"Environment variable: `TENCENTVOD_REQUEST_TIMEOUT` (1 to 3600, like the argument).",
				Validators: []validator.Int64{int64validator.Between(1, 3600)},
			},
			"secret_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "API key ID. Environment variable: `TENCENTCLOUD_SECRET_ID`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("secret_key")),
				},
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "API key secret. Environment variable: `TENCENTCLOUD_SECRET_KEY`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("secret_id")),
				},
			},
			"security_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Security token of temporary credentials, sent as `X-TC-Token`. " +
					"Environment variable: `TENCENTCLOUD_SECURITY_TOKEN`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("secret_id"), path.MatchRoot("secret_key")),
				},
			},
			"shared_credentials_dir": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Directory of the tccli credential files. Default `~/.tccli`. " +
					"Environment variable: `TENCENTCLOUD_SHARED_CREDENTIALS_DIR`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"sts_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of STS (used by `assume_role`), `scheme://host[:port]`. Overrides `domain`. " +
					"Environment variable: `TENCENTVOD_STS_ENDPOINT`.",
				Validators: []validator.String{validators.Endpoint()},
			},
			"sub_app_id": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Default VOD application ID for every call. Required by accounts that activated VOD on or after " +
					"2023-12-25, even for the default application. Environment variable: `TENCENTVOD_SUB_APP_ID`.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.ListNestedBlock{
				MarkdownDescription: "Assume a CAM role with STS `AssumeRole`, using whichever credentials were resolved, before any " +
					"call. At most one block. Environment variables `TENCENTCLOUD_ASSUME_ROLE_ARN` and " +
					"`TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME` together turn it on without a block.",
				Validators: []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"external_id": schema.StringAttribute{
							Optional: true,
							MarkdownDescription: "External ID required by the role's trust policy. " +
								"Environment variable: `TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID`.",
							Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"policy": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Policy (JSON) that further restricts the assumed role's permissions.",
							Validators:          []validator.String{validators.JSONObject()},
						},
						"role_arn": schema.StringAttribute{
							Required: true,
							MarkdownDescription: "ARN of the role, `qcs::cam::uin/<account>:roleName/<name>`. " +
								"Environment variable: `TENCENTCLOUD_ASSUME_ROLE_ARN`.",
							Validators: []validator.String{
								stringvalidator.RegexMatches(roleARNPattern, "must look like qcs::cam::uin/<account id>:roleName/<role name>"),
							},
						},
						"session_duration": schema.Int64Attribute{
							Optional: true,
							MarkdownDescription: "Lifetime of the role session in seconds. Default `7200`, at most `43200`. " +
								"Environment variable: `TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION`.",
							Validators: []validator.Int64{int64validator.Between(1, 43200)},
						},
						"session_name": schema.StringAttribute{
							Required: true,
							MarkdownDescription: "Name of the role session, 2 to 128 characters of letters, digits and `+=,.@_-`. " +
								"Environment variable: `TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME`.",
							Validators: []validator.String{
								stringvalidator.RegexMatches(sessionNamePattern, "must be 2 to 128 characters of letters, digits and +=,.@_-"),
							},
						},
					},
				},
			},
		},
	}
}

func (p *tencentvodProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config tencentvodProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// During plan the provider block may reference values that are only known after apply (another
	// resource's output). Failing here would fail the whole plan. Instead there is no client until the
	// apply: a media refresh keeps its state, a create plans unknown results, the upload session opens
	// with unknown results, and a data source read or an import reports the unknown arguments
	// (providerData.Client).
	if !req.Config.Raw.IsFullyKnown() {
		unknown := unknownArguments(req.Config.Raw)
		tflog.Debug(ctx, "provider configuration has unknown values; API calls wait for apply",
			map[string]any{"unknown_arguments": unknown})
		if req.ClientCapabilities.DeferralAllowed {
			// The framework then defers every read, plan, import and open of this provider's types.
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		}
		p.share(resp, &providerData{unknownArguments: unknown})
		return
	}

	clientConfig, diags := expandClientConfig(ctx, config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	clientConfig.UserAgent = userAgent(req.TerraformVersion, p.version)
	clientConfig.Logger = tflogLogger{}

	client, err := vod.NewClient(clientConfig)
	if err != nil {
		resp.Diagnostics.AddError(
			"Invalid Provider Configuration",
			"The provider could not be configured from its arguments and environment variables.\n\n"+
				"Original Error: "+err.Error(),
		)
		return
	}
	tflog.Debug(ctx, "configured VOD client", map[string]any{"region": client.Region(), "sub_app_id": client.SubAppID()})
	p.share(resp, &providerData{client: client})
}

// share hands the configured client to every kind of resource. Ephemeral resources, list resources and actions
// need their own fields: the scaffolding sets only the data source and resource ones.
func (p *tencentvodProvider) share(resp *provider.ConfigureResponse, data *providerData) {
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

func (p *tencentvodProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewMediaResource,
		NewClassResource,
	}
}

func (p *tencentvodProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewMediaDataSource,
		NewClassesDataSource,
	}
}

func (p *tencentvodProvider) ListResources(context.Context) []func() listresource.ListResource {
	return []func() listresource.ListResource{
		NewMediaListResource,
		NewClassListResource,
	}
}

func (p *tencentvodProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		NewProcessMediaAction,
	}
}

func (p *tencentvodProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewUploadSessionEphemeralResource,
	}
}

// expandClientConfig maps the provider block to the client configuration. Unset arguments stay at their
// zero value: the client fills them from the environment, the tccli profile and its defaults, in that order.
func expandClientConfig(ctx context.Context, config tencentvodProviderModel) (vod.Config, diag.Diagnostics) {
	cfg := vod.Config{
		SecretID:             config.SecretID.ValueString(),
		SecretKey:            config.SecretKey.ValueString(),
		SecurityToken:        config.SecurityToken.ValueString(),
		Region:               config.Region.ValueString(),
		SubAppID:             uint64(config.SubAppID.ValueInt64()),
		Domain:               config.Domain.ValueString(),
		Endpoint:             config.Endpoint.ValueString(),
		STSEndpoint:          config.STSEndpoint.ValueString(),
		COSEndpoint:          config.COSEndpoint.ValueString(),
		Profile:              config.Profile.ValueString(),
		SharedCredentialsDir: config.SharedCredentialsDir.ValueString(),
		CAMRoleName:          config.CAMRoleName.ValueString(),
		RequestTimeout:       time.Duration(config.RequestTimeout.ValueInt64()) * time.Second,
		RateLimit:            float64(config.RateLimit.ValueInt64()),
	}
	if !config.MaxRetries.IsNull() {
		retries := config.MaxRetries.ValueInt64()
		cfg.MaxRetries = &retries
	}

	var roles []assumeRoleModel
	diags := config.AssumeRole.ElementsAs(ctx, &roles, false)
	if len(roles) > 0 {
		role := roles[0]
		cfg.AssumeRole = &vod.AssumeRoleConfig{
			RoleARN:         role.RoleARN.ValueString(),
			SessionName:     role.SessionName.ValueString(),
			SessionDuration: time.Duration(role.SessionDuration.ValueInt64()) * time.Second,
			Policy:          role.Policy.ValueString(),
			ExternalID:      role.ExternalID.ValueString(),
		}
	}
	return cfg, diags
}

// userAgent names the provider and Terraform versions, as other HashiCorp-style providers do, and honours
// TF_APPEND_USER_AGENT so that platforms can tag their traffic.
func userAgent(terraformVersion, providerVersion string) string {
	ua := fmt.Sprintf("Terraform/%s (+https://www.terraform.io) terraform-plugin-framework terraform-provider-tencentvod/%s",
		terraformVersion, providerVersion)
	if extra := strings.TrimSpace(os.Getenv("TF_APPEND_USER_AGENT")); extra != "" {
		ua += " " + extra
	}
	return ua
}

// unknownArguments lists the paths of the unknown values in the provider configuration, in the words of
// the configuration: "secret_key", "assume_role[0].role_arn", or "assume_role" when the whole block is.
func unknownArguments(config tftypes.Value) []string {
	var unknown []string
	_ = tftypes.Walk(config, func(at *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		if v.IsKnown() {
			return true, nil
		}
		unknown = append(unknown, configPath(at))
		return false, nil
	})
	slices.Sort(unknown) // objects are walked in map order
	return unknown
}

// configPath renders an attribute path as it is written in HCL.
func configPath(at *tftypes.AttributePath) string {
	var b strings.Builder
	for _, step := range at.Steps() {
		switch s := step.(type) {
		case tftypes.AttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case tftypes.ElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		case tftypes.ElementKeyString:
			fmt.Fprintf(&b, "[%q]", string(s))
		}
	}
	return b.String()
}

// configuredData takes the provider's data in a Configure call. It is nil while validating, before the
// provider is configured; anything else than *providerData is a bug of ours.
func configuredData(kind string, data any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	d, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected "+kind+" Configure Type",
			fmt.Sprintf("Expected *providerData, got: %T. Please report this issue to the provider developers.", data))
	}
	return d, diags
}
