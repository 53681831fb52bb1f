package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listresource "github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var _ listresource.ListResourceWithConfigure = (*classListResource)(nil)

// classListResource lists the classes of an application for `terraform query` (Terraform 1.14 and
// later), each with its identity and, when asked for, the tencentvod_class object an import saves.
type classListResource struct {
	data *providerData
}

// classListConfigModel maps the list block of tencentvod_class.
type classListConfigModel struct {
	SubAppID types.Int64 `tfsdk:"sub_app_id"`
	ParentID types.Int64 `tfsdk:"parent_id"`
}

// NewClassListResource returns the tencentvod_class list resource.
func NewClassListResource() listresource.ListResource {
	return &classListResource{}
}

func (r *classListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_class"
}

func (r *classListResource) ListResourceConfigSchema(_ context.Context, _ listresource.ListResourceSchemaRequest, resp *listresource.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the media classes of a VOD application for `terraform query` (Terraform 1.14 " +
			"and later), each parent before its subclasses, shown as its path (`Movies > Trailers (12)`). " +
			"`terraform query -generate-config-out=classes.tf` writes a `tencentvod_class` resource and an `import` " +
			"block for each, which plan no change once imported. The built-in class `0` is not listed: it cannot " +
			"be managed. The `list` block's `limit` caps the results (Terraform's default is 100).",
		Attributes: map[string]listschema.Attribute{
			"sub_app_id": listschema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "VOD application to list. Defaults to the provider's `sub_app_id` (or " +
					"`TENCENTVOD_SUB_APP_ID`); neither set: the account's default application.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"parent_id": listschema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Lists only the classes directly under this class (its `class_id`).",
				Validators:          []validator.Int64{parentIDValidator{}},
			},
		},
	}
}

func (r *classListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	var diags diag.Diagnostics
	r.data, diags = configuredData("List Resource", req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (r *classListResource) List(ctx context.Context, req listresource.ListRequest, stream *listresource.ListResultsStream) {
	if req.Limit <= 0 {
		stream.Results = listresource.NoListResults // `limit = 0`: Terraform reads no result
		return
	}
	var config classListConfigModel
	diags := req.Config.Get(ctx, &config)
	client, notKnown := r.data.Client("tencentvod_class cannot be listed")
	diags.Append(notKnown...)
	if diags.HasError() {
		stream.Results = listresource.ListResultsStreamDiagnostics(diags)
		return
	}
	subAppID := config.SubAppID
	if subAppID.IsNull() {
		subAppID = r.data.defaultSubAppID() // as an import does
	}
	tree, err := describeClassTree(withLogging(ctx), client, subAppID)
	if err != nil {
		stream.Results = listresource.ListResultsStreamDiagnostics(diag.Diagnostics{apiErrorDiagnostic("Unable to List VOD Classes", err)})
		return
	}
	classes := tree.preorder()
	if isKnown(config.ParentID) {
		classes = tree.children(config.ParentID.ValueInt64())
	}
	stream.Results = func(push func(listresource.ListResult) bool) {
		listed := int64(0)
		for _, class := range classes {
			if class.ClassID == vod.DefaultClassID {
				continue
			}
			if listed >= req.Limit {
				return
			}
			listed++
			if !push(classListResult(ctx, req, tree, class, subAppID)) {
				return
			}
		}
	}
}

// classListResult is one listed class: its identity, its path and, when asked for, the object an import
// saves (setImportedClass, then Read's flatten).
func classListResult(ctx context.Context, req listresource.ListRequest, tree classTree, class vod.ClassInfo, subAppID types.Int64) listresource.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = fmt.Sprintf("%s (%d)", strings.Join(tree.path(class.ClassID), " > "), class.ClassID)
	result.Diagnostics.Append(setIdentity(ctx, result.Identity, &classIdentityModel{
		ClassID:  types.Int64Value(class.ClassID),
		SubAppID: subAppID,
	})...)
	if !req.IncludeResource {
		return result
	}
	result.Diagnostics.Append(setImportedClass(ctx, result.Resource, class.ClassID, subAppID)...)
	var m classResourceModel
	result.Diagnostics.Append(result.Resource.Get(ctx, &m)...)
	if result.Diagnostics.HasError() {
		return result
	}
	m.flatten(class)
	result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	return result
}
